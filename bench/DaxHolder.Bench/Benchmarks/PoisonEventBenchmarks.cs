using BenchmarkDotNet.Attributes;
using DaxHolder.Abstractions;
using DaxHolder.Bench.Support;
using DaxHolder.Scenarios.Generating;

namespace DaxHolder.Bench.Benchmarks;

/// <summary>
/// (a) One poison event on the reference machine (100k files, 1M file rmap records, 10k processes,
/// 100k VMAs, half the pages faulted): an asynchronous machine check on a faulted page, through
/// memory_failure, XFS's notify_failure (rmapbt query) and mf_dax_kill_procs, unmapping and
/// signalling. Every invocation poisons a page not poisoned before.
/// </summary>
[Config(typeof(PoisonEventConfig))]
public class PoisonEventBenchmarks
{
    private GeneratedMachine machine = null!;
    private List<Target> targets = [];
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        var options = BenchMachines.SmokeRun ? BenchMachines.Smoke : BenchMachines.Reference;
        machine = BenchMachines.Build(options);
        var needed = BenchMachines.SmokeRun ? 4 : (PoisonEventConfig.Iterations + PoisonEventConfig.Warmups) * PoisonEventConfig.Invocations;
        var pool = BenchMachines.SmokeRun ? 4 : BenchMachines.WarmUpPool;
        var all = BenchMachines.Targets(machine, needed + pool);
        if (all.Count < needed + pool)
        {
            throw new InvalidOperationException($"the machine has {all.Count} faulted pages, {needed + pool} needed");
        }

        // The measured targets are spread over the machine; the rest poison pages until tiered
        // compilation has settled, so the iterations measure the optimized event path.
        (targets, var warmUp) = BenchMachines.Split(all, needed);
        var warmedUp = BenchMachines.WarmUpUntilTiered(machine, warmUp);
        Console.WriteLine($"// warm-up: {warmedUp} events before the first iteration, in rounds of {BenchMachines.SettleWindow} events and {BenchMachines.TieringPause.TotalMilliseconds:F0} ms pauses, until two rounds compiled at most {BenchMachines.SettledCompilations} methods each");

        // Targets come in the machine's order (file, then page), and what an event costs depends
        // on whom the page's file is shared with: in a fixed shuffled order every iteration
        // samples the whole machine, not one stretch of it.
        new Random(8).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(targets));
    }

    [Benchmark(Description = "poison one faulted page (machine check)")]
    public Errno PoisonEvent() => BenchMachines.Poison(machine, targets[next++ % targets.Count]);

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();
}
