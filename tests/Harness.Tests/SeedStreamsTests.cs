using Chaos.Harness.Load;

namespace Chaos.Harness.Tests;

/// <summary>
/// A run's random streams come from one derivation (<see cref="SeedStreams"/>): the same inputs give the same seed,
/// and no stream of one run repeats another stream of it or of a neighbouring run — the job arrivals of seed N were
/// the send arrivals of seed N+1, and every device drew the same reconnect jitter.
/// </summary>
public sealed class SeedStreamsTests
{
    [Fact]
    public void The_same_run_stream_and_index_give_the_same_seed()
    {
        SeedStreams.Derive(7, SeedStreams.Sends).Should().Be(SeedStreams.Derive(7, SeedStreams.Sends));
        SeedStreams.Derive(7, SeedStreams.SendContent, 12).Should().Be(SeedStreams.Derive(7, SeedStreams.SendContent, 12));
        SeedStreams.Random(7, SeedStreams.JobContent, 3).Next().Should().Be(SeedStreams.Random(7, SeedStreams.JobContent, 3).Next());
    }

    /// <summary>A seed must replay the same run in every later version: the derivation is pinned (values computed
    /// independently, from the algorithm's definition, not by this code).</summary>
    [Fact]
    public void The_derivation_is_pinned_so_a_seed_replays_the_same_run_in_every_version()
    {
        SeedStreams.Derive(1, SeedStreams.Sends).Should().Be(790441031308881439);
        SeedStreams.Derive(7, SeedStreams.SendContent, 12).Should().Be(4309593313242114793);
    }

    [Fact]
    public void Streams_of_neighbouring_runs_never_share_a_seed()
    {
        var seeds = new List<long>();
        foreach (var run in Enumerable.Range(1, 50))
        {
            seeds.Add(SeedStreams.Derive(run, SeedStreams.Sends));
            seeds.Add(SeedStreams.Derive(run, SeedStreams.Jobs));
            seeds.AddRange(Enumerable.Range(1, 200).Select(n => SeedStreams.Derive(run, SeedStreams.SendContent, n)));
            seeds.AddRange(Enumerable.Range(1, 200).Select(n => SeedStreams.Derive(run, SeedStreams.JobContent, n)));
            seeds.AddRange(Enumerable.Range(1, 20).Select(u => SeedStreams.Derive(run, SeedStreams.Client($"u{u}", "d1"))));
        }

        seeds.Should().OnlyHaveUniqueItems();
        seeds.Select(s => unchecked((int)(s ^ (s >> 32)))).Distinct().Count().Should().BeGreaterThan(seeds.Count - 5, "folded to 32 bits they still almost never collide (birthday bound ≈ 1 pair in 20,000 draws)");
    }

    [Fact]
    public void The_job_arrivals_of_one_seed_are_not_the_send_arrivals_of_the_next()
    {
        var profile = ArrivalProfile.Random(10, TimeSpan.FromSeconds(30)); // Poisson: the only arrivals the seed moves

        var jobsOfSeed1 = profile.IntendedStarts(SeedStreams.Derive(1, SeedStreams.Jobs)).Take(50).ToList();
        var sendsOfSeed2 = profile.IntendedStarts(SeedStreams.Derive(2, SeedStreams.Sends)).Take(50).ToList();
        var sendsOfSeed1 = profile.IntendedStarts(SeedStreams.Derive(1, SeedStreams.Sends)).Take(50).ToList();

        jobsOfSeed1.Should().NotEqual(sendsOfSeed2);
        jobsOfSeed1.Should().NotEqual(sendsOfSeed1);
        jobsOfSeed1.Intersect(sendsOfSeed2).Should().BeEmpty();
    }

    [Fact]
    public void Two_devices_of_one_run_draw_different_reconnect_jitter()
    {
        var a = new Random(SeedStreams.DeriveInt(1, SeedStreams.Client("u1", "d1")));
        var b = new Random(SeedStreams.DeriveInt(1, SeedStreams.Client("u1", "d2")));

        Enumerable.Range(0, 8).Select(_ => a.Next(1000)).Should().NotEqual(Enumerable.Range(0, 8).Select(_ => b.Next(1000)));
    }

    [Fact]
    public void Every_node_of_a_run_and_of_the_next_run_has_a_seed_of_its_own()
    {
        // before, a node's seed was seed + instance: api-1 and notifier-1 shared one, and instance 2 of seed N was
        // instance 1 of seed N+1
        string[] nodes = ["api-1", "api-2", "notifier-1", "notifier-2", "gateway-1", "gateway-2", "jobs-1", "jobs-2"];

        var seeds = new[] { 1L, 2L }.SelectMany(run => nodes.Select(n => SeedStreams.Derive(run, SeedStreams.Node(n)))).ToList();

        seeds.Should().OnlyHaveUniqueItems();
    }
}
