using System.Diagnostics;
using System.Net.Sockets;
using Amazon.S3;
using MassTransit;
using Npgsql;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Tests;

/// <summary>Which failures are an outage, which dependency each names, and how a client rides one through.</summary>
public sealed class TransientFailuresTests
{
    public static TheoryData<Exception, string?, bool> Failures => new()
    {
        { new NpgsqlException("connection refused", new SocketException(111)), PublicErrors.JobStore, true },
        { new AmazonS3Exception("SlowDown") { StatusCode = System.Net.HttpStatusCode.ServiceUnavailable }, PublicErrors.ObjectStore, true },
        { new RabbitMqConnectionException("Broker unreachable: guest@10.0.0.7:5672/", new SocketException(111)), PublicErrors.MessageBroker, true },
        // Named by what it wraps; waited out only where the farm knows the outer type.
        { new InvalidOperationException("wrapped", new NpgsqlException("reset", new IOException("reset"))), PublicErrors.JobStore, false },
        // A cut connection: an outage, of no dependency that can be told.
        { new IOException("reset", new SocketException(104)), null, true },
        { new ArgumentException("a bad option"), null, false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void An_outage_is_transient_and_its_dependency_named_by_its_public_name_only(Exception failure, string? dependency, bool transient) =>
        Assert.Equal((dependency, transient), (PublicErrors.DependencyOf(failure), TransientFailures.IsTransient(failure)));

    [Fact]
    public async Task A_ride_through_retries_an_outage_and_returns_the_answer()
    {
        var tries = 0;
        var waits = new List<TimeSpan>();
        var answer = await TransientFailures.RideThroughAsync(_ => ++tries < 3 ? throw new TimeoutException() : Task.FromResult(42),
            TimeSpan.FromSeconds(10), CancellationToken.None, (_, wait) => { waits.Add(wait); return Task.CompletedTask; });

        Assert.Equal((42, 3), (answer, tries));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], waits); // the farm's backoff
    }

    [Fact]
    public async Task A_ride_through_gives_up_past_the_tolerance_and_passes_other_failures_at_once()
    {
        var watch = Stopwatch.StartNew();
        var tries = 0;
        await Assert.ThrowsAsync<TimeoutException>(() =>
            TransientFailures.RideThroughAsync<int>(_ => { tries++; throw new TimeoutException(); }, TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Equal(3, tries); // waits of 1 and 2 s make the 3 s, then the last try's failure is the caller's
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10));

        tries = 0;
        await Assert.ThrowsAsync<ArgumentException>(() =>
            TransientFailures.RideThroughAsync<int>(_ => { tries++; throw new ArgumentException("bad"); }, TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Equal(1, tries);
    }
}
