using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace UpscaleFarm.Storage;

/// <summary>
/// Objects in an S3-compatible bucket through AWSSDK.S3. Configured for servers other than AWS:
/// path-style addressing, checksums only where the API requires them, and no aws-chunked payload
/// encoding (s3rver would store the chunk framing as the object's bytes). Large objects go up in
/// parts, holding one part in memory at a time.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly AmazonS3Client _presigner;
    private readonly S3Settings _settings;

    public S3ObjectStore(S3Settings settings)
    {
        if (settings.PartSize < 5 << 20)
            throw new ArgumentException("S3 parts must be at least 5 MiB", nameof(settings));
        _settings = settings;
        var config = new AmazonS3Config
        {
            ServiceURL = settings.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = settings.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            HttpClientFactory = new S3HttpClientFactory(settings),
        };
        var credentials = new BasicAWSCredentials(settings.AccessKey, settings.SecretKey);
        _client = new AmazonS3Client(credentials, config);
        // Presigning is local (no request); a URL signed for the public endpoint is valid there, since the
        // signature covers the host the client will send.
        _presigner = settings.PublicUrl is { Length: > 0 } publicUrl
            ? new AmazonS3Client(credentials, new AmazonS3Config
            {
                ServiceURL = publicUrl, ForcePathStyle = true, AuthenticationRegion = settings.Region,
            })
            : _client;
    }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellation = default)
    {
        ObjectKey.Validate(key);
        var first = await ReadPartAsync(content, cancellation);
        if (first.Length < _settings.PartSize)
        {
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _settings.Bucket,
                Key = key,
                InputStream = first,
                UseChunkEncoding = false,
            }, cancellation);
            return;
        }
        await PutMultipartAsync(key, first, content, cancellation);
    }

    private async Task PutMultipartAsync(string key, MemoryStream first, Stream content, CancellationToken cancellation)
    {
        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _settings.Bucket, Key = key }, cancellation);
        try
        {
            var parts = new List<PartETag>();
            for (var part = first; part.Length > 0; part = await ReadPartAsync(content, cancellation))
            {
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _settings.Bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = parts.Count + 1,
                    InputStream = part,
                    PartSize = part.Length,
                    UseChunkEncoding = false,
                }, cancellation);
                parts.Add(new PartETag(parts.Count + 1, response.ETag));
            }
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _settings.Bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, cancellation);
        }
        catch
        {
            // Leave no orphaned parts behind; the object itself was never visible.
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _settings.Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Up to one part of the stream, in memory.</summary>
    private async Task<MemoryStream> ReadPartAsync(Stream content, CancellationToken cancellation)
    {
        var buffer = new byte[_settings.PartSize];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellation)) > 0)
            filled += read;
        return new MemoryStream(buffer, 0, filled, writable: false);
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellation = default) =>
        (await OpenWithLengthAsync(key, cancellation)).Content;

    /// <summary>The object and the length S3 answered its GET with: its response stream cannot seek, so it cannot say.</summary>
    public async Task<OpenedObject> OpenWithLengthAsync(string key, CancellationToken cancellation = default)
    {
        try
        {
            var response = await _client.GetObjectAsync(_settings.Bucket, ObjectKey.Validate(key), cancellation);
            return new OpenedObject(response.ResponseStream, response.ContentLength >= 0 ? response.ContentLength : null);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellation = default)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_settings.Bucket, ObjectKey.Validate(key), cancellation);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellation = default) =>
        _client.DeleteObjectAsync(_settings.Bucket, ObjectKey.Validate(key), cancellation);

    public async Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellation = default)
    {
        // S3's DeleteObjects takes at most 1 000 keys; quiet, it answers only with the keys it could not delete (which
        // the SDK raises as an exception). A key that does not exist counts as deleted.
        foreach (var chunk in keys.Chunk(1000))
            await _client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = _settings.Bucket,
                Quiet = true,
                Objects = chunk.Select(key => new KeyVersion { Key = ObjectKey.Validate(key) }).ToList(),
            }, cancellation);
    }

    public async Task<Uri?> GetDownloadUrlAsync(string key, TimeSpan lifetime, string fileName, CancellationToken cancellation = default)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _settings.Bucket,
            Key = ObjectKey.Validate(key),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + lifetime,
            // The SDK signs https URLs unless told otherwise; a plain-http endpoint (SeaweedFS in compose, s3rver on loopback) needs http.
            Protocol = (_settings.PublicUrl is { Length: > 0 } p ? p : _settings.ServiceUrl).StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS,
        };
        request.ResponseHeaderOverrides.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = fileName }.ToString();
        return new Uri(await _presigner.GetPreSignedURLAsync(request));
    }

    public async IAsyncEnumerable<StoredObject> ListObjectsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var request = new ListObjectsV2Request { BucketName = _settings.Bucket, Prefix = ObjectKey.ValidatePrefix(prefix) };
        ListObjectsV2Response response;
        do
        {
            response = await _client.ListObjectsV2Async(request, cancellation);
            foreach (var item in response.S3Objects ?? [])
                yield return new StoredObject(item.Key, item.Size ?? 0, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.UtcNow);
            request.ContinuationToken = response.NextContinuationToken;
        } while (response.IsTruncated == true);
    }

    public void Dispose()
    {
        if (_presigner != _client)
            _presigner.Dispose();
        _client.Dispose();
    }
}
