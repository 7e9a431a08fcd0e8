namespace UpscaleFarm.Api.Tenants;

/// <summary>Api:ResultDelivery: how a stored result reaches its client when the store can sign download URLs (S3).</summary>
public enum ResultDelivery
{
    /// <summary>A 302 to a 15-minute presigned URL of the store: the bytes never pass through the API, but the client must reach the store.</summary>
    Redirect,

    /// <summary>The API streams the object itself, for clients outside a cluster whose store is not exposed.</summary>
    Proxy,
}
