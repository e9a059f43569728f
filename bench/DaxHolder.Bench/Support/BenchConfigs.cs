using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace DaxHolder.Bench.Support;

/// <summary>
/// The jobs. Every benchmark runs in process (InProcessEmitToolchain): the machines are built
/// once per benchmark in memory, and no per-benchmark project is generated and compiled, which
/// on 2 cores would cost more than the measurements.
/// </summary>
public static class BenchJobs
{
    /// <summary>
    /// In process, with an hour per benchmark rather than the toolchain's default of five minutes:
    /// the 100,000-process dispatch machine takes longer than that to build and check.
    /// </summary>
    public static Job InProcess => Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true)).WithLaunchCount(1);

    /// <summary>A destructive or long operation: measured once per iteration, no pilot, no overhead runs.</summary>
    public static Job Once(int iterations, int warmups = 1) =>
        InProcess.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(warmups).WithIterationCount(iterations).WithInvocationCount(1).WithUnrollFactor(1);
}

/// <summary>Reads and dispatch: a throughput job with the median and operations per second shown.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddJob(BenchJobs.InProcess.WithWarmupCount(3).WithIterationCount(10));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.OperationsPerSecond);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(48));
    }
}

/// <summary>
/// (a): each invocation poisons a new page, so the invocation count is fixed and every target is
/// fresh. The set-up poisons other pages first until tiered compilation has settled (see
/// <c>BenchMachines.WarmUpUntilTiered</c>: some 50,000 events on the reference machine; a fixed
/// 8,000 left the measured events running unoptimized code); twenty warm-up iterations follow. No full
/// collection is forced between iterations (BenchmarkDotNet forces one by default): on the
/// reference machine's 600 MB heap a forced compacting collection leaves every iteration on cold
/// caches and a decommitted allocation area, a state a run never sees between two events. The
/// collections the events cause fall inside the iterations where they happen; the mean and P95
/// include them.
/// </summary>
public sealed class PoisonEventConfig : ManualConfig
{
    public const int Invocations = 400;
    public const int Iterations = 30;
    public const int Warmups = 20;

    public PoisonEventConfig()
    {
        AddJob(BenchJobs.InProcess.WithWarmupCount(Warmups).WithIterationCount(Iterations).WithInvocationCount(Invocations).WithUnrollFactor(1).WithGcForce(false));
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.OperationsPerSecond);
    }
}

/// <summary>(b), (c), (d): whole operations measured once per iteration.</summary>
public sealed class OnceConfig : ManualConfig
{
    public OnceConfig()
    {
        AddJob(BenchJobs.Once(iterations: 5));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
    }
}

/// <summary>(e): memory per record, allocated (the diagnoser) and retained (measured by the benchmark).</summary>
public sealed class MemoryConfig : ManualConfig
{
    public MemoryConfig()
    {
        AddJob(BenchJobs.Once(iterations: 3));
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
        AddColumn(new PerRecordColumn());
    }
}

/// <summary>Bytes per rmap record: allocated per operation / records, and retained after a full GC / records.</summary>
public sealed class PerRecordColumn : IColumn
{
    public string Id => nameof(PerRecordColumn);

    public string ColumnName => "Retained B/record";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Metric;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes still reachable after a full GC, per rmap record (the store's own footprint)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        benchmarkCase.Parameters["Records"] is int records && Benchmarks.RmapMemoryBenchmarks.RetainedPerRecord.TryGetValue(records, out var bytes)
            ? bytes.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
