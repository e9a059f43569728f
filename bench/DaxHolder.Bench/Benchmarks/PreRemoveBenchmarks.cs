using BenchmarkDotNet.Attributes;
using DaxHolder.Abstractions;
using DaxHolder.Bench.Support;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Generating;

namespace DaxHolder.Bench.Benchmarks;

/// <summary>
/// (b) Whole-device pre-remove on 6.12 on the reference machine: pmem unbind, kill_dax's
/// notification with MF_MEM_PRE_REMOVE over the whole device, XFS's walk of every AG's rmapbt,
/// mf_dax_kill_procs over every file record page by page, unmapping every mapper; then the
/// forced unmount. Destructive: a fresh machine is built before each iteration (not measured).
/// </summary>
[Config(typeof(OnceConfig))]
public class PreRemoveBenchmarks
{
    private GeneratedMachine? machine;

    [IterationSetup]
    public void Build()
    {
        machine?.Dispose();
        machine = BenchMachines.Build(BenchMachines.SmokeRun ? BenchMachines.Smoke : BenchMachines.Reference);
    }

    [Benchmark(Description = "unbind: whole-device pre-remove (6.12)")]
    public int PreRemove()
    {
        var m = machine!;
        var mark = m.Machine.Trace.Mark;
        m.Machine.Unbind(m.State.Pmem!, writer: null);
        var trace = m.Machine.Trace.All;
        HolderNotified? notified = null;
        for (var i = mark; i < trace.Count && notified is null; i++)
        {
            notified = trace[i] as HolderNotified;
        }

        notified = notified ?? throw new InvalidOperationException("unbind notified no holder");
        return notified.Result == Errno.Ok ? m.Machine.Trace.Mark - mark : throw new InvalidOperationException($"pre-remove = {notified.Result?.ToKernelString()}");
    }

    [GlobalCleanup]
    public void Cleanup() => machine?.Dispose();
}
