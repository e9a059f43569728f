using System.Diagnostics;
using System.Globalization;
using DaxHolder.Bench.Benchmarks;

namespace DaxHolder.Bench.Support;

/// <summary>
/// <c>-- --describe</c>: builds each benchmark machine once and prints what it holds (files, rmap
/// records, processes, VMAs, faulted pages) and how long the build took, for bench/README.md.
/// </summary>
internal static class Describe
{
    /// <summary><c>-- --events N</c>: builds the reference machine and times N poison events (for a profiler).</summary>
    public static void Events(TextWriter output, int count)
    {
        using var machine = BenchMachines.Build(BenchMachines.Reference);
        var targets = BenchMachines.Targets(machine, count + BenchMachines.WarmUpPool);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"built; poisoning ({(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, latency mode {System.Runtime.GCSettings.LatencyMode})"));

        // The measured targets are spread over the machine; the rest warm up until tiered compilation has settled.
        var (measured, pool) = BenchMachines.Split(targets, count);
        var warmupClock = Stopwatch.StartNew();
        var warmup = BenchMachines.WarmUpUntilTiered(machine, pool);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warm-up: {warmup} events in {warmupClock.Elapsed.TotalMilliseconds:F0} ms, in rounds of {BenchMachines.SettleWindow} events and {BenchMachines.TieringPause.TotalMilliseconds:F0} ms pauses, until two rounds compiled at most {BenchMachines.SettledCompilations} methods each"));
        using var listener = Environment.GetEnvironmentVariable("DAXHOLDER_BENCH_ALLOCATIONS") is null ? null : new AllocationListener();
        var retained = GC.GetTotalMemory(forceFullCollection: true);
        var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes();
        var paused = GC.GetTotalPauseDuration();
        var mark = machine.Machine.Trace.Mark;
        var clock = Stopwatch.StartNew();
        foreach (var target in measured)
        {
            BenchMachines.Poison(machine, target);
        }

        var elapsed = clock.Elapsed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{measured.Count} events in {elapsed.TotalMilliseconds:F0} ms: {elapsed.TotalMicroseconds / measured.Count:F1} us/event, " +
            $"{(GC.GetTotalAllocatedBytes() - allocated) / measured.Count} B allocated/event, {(machine.Machine.Trace.Mark - mark) / (double)measured.Count:F1} decisions/event, " +
            $"GC pauses {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms, GCs gen0 {GC.CollectionCount(0) - gcs.Item1} gen1 {GC.CollectionCount(1) - gcs.Item2} gen2 {GC.CollectionCount(2) - gcs.Item3}; " +
            $"{(GC.GetTotalMemory(forceFullCollection: true) - retained) / measured.Count} B retained/event (after a full GC, untimed)"));
    }

    /// <summary><c>-- --unbind</c>: builds the reference machine and times the whole-device pre-remove (for a profiler).</summary>
    public static void Unbind(TextWriter output)
    {
        using var machine = BenchMachines.Build(BenchMachines.Reference);
        output.WriteLine("built; unbinding");
        var allocated = GC.GetTotalAllocatedBytes();
        var listener = Environment.GetEnvironmentVariable("DAXHOLDER_BENCH_ALLOCATIONS") is null ? null : new AllocationListener();
        var gcListener = Environment.GetEnvironmentVariable("DAXHOLDER_BENCH_GCS") is null ? null : new GcListener(output);
        var mark = machine.Machine.Trace.Mark;
        var paused = GC.GetTotalPauseDuration();
        var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        // Pages touched for the first time: each costs the OS a zeroed page (clear_page), which on this VM is several µs.
        // /proc/self/stat: minflt is the 10th field, the 8th after the parenthesised comm (0 where there is no /proc).
        static long Minflt() => File.Exists("/proc/self/stat") && File.ReadAllText("/proc/self/stat") is var stat
            ? long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture)
            : 0;
        var flt = Minflt();
        var clock = Stopwatch.StartNew();
        machine.Machine.Unbind(machine.State.Pmem!, writer: null);
        var faults = Minflt() - flt;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"unbind in {clock.Elapsed.TotalMilliseconds:F0} ms ({faults} minor page faults; {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms GC pauses; GCs gen0 {GC.CollectionCount(0) - gcs.Item1} gen1 {GC.CollectionCount(1) - gcs.Item2} gen2 {GC.CollectionCount(2) - gcs.Item3}), " +
            $"{machine.Machine.Trace.Mark - mark} decisions, {(GC.GetTotalAllocatedBytes() - allocated) >> 20} MiB allocated"));
        listener?.Dispose();
        gcListener?.Dispose();
        var trace = machine.Machine.Trace.All;
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = mark; i < trace.Count; i++)
        {
            var kind = trace[i] is DaxHolder.Kernel.Trace.LogPrinted log ? $"LogPrinted ({log.Line.Level})" : trace[i].GetType().Name;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        output.WriteLine(string.Join(", ", kinds.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}")));
    }

    /// <summary>Samples allocations by type (the runtime's AllocationTick, about every 100 KB) and prints the top ones on dispose.</summary>
    private sealed class AllocationListener : System.Diagnostics.Tracing.EventListener
    {
        private readonly Dictionary<string, long> bytes = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.Payload is { } payload && eventData.PayloadNames is { } names)
            {
                var type = payload[names.IndexOf("TypeName")]?.ToString() ?? "?";
                lock (bytes)
                {
                    bytes[type] = bytes.GetValueOrDefault(type) + 1;
                }
            }
        }

        public override void Dispose()
        {
            base.Dispose();
            foreach (var (type, count) in bytes.OrderByDescending(b => b.Value).Take(25))
            {
                Console.WriteLine($"{count,6} {type}");
            }
        }
    }

    public static void Run(TextWriter output, string? only)
    {
        var machines = new List<(string Name, DaxHolder.Scenarios.Generating.GeneratorOptions Options)> { ("reference (a, b)", BenchMachines.Reference) };
        machines.AddRange(DispatchBenchmarks.Cases().Select(c => ($"dispatch {c}", c.Options)));
        foreach (var (name, options) in machines.Where(m => only is null || m.Name.Contains(only, StringComparison.Ordinal)))
        {
            var clock = Stopwatch.StartNew();
            var timings = new SortedDictionary<string, TimeSpan>(StringComparer.Ordinal);
            using var machine = BenchMachines.Build(options, timings);
            var built = clock.Elapsed;
            var mount = machine.Mount;
            var records = mount.FileSystem.ReverseMap.Query(new Abstractions.DeviceExtent(new Abstractions.DeviceOffset(0), machine.State.Pmem!.Disk.Size)).Count;
            var processes = machine.Machine.Tasks.Processes.Count(p => p.Mm is not null);
            var vmas = machine.Machine.Tasks.Processes.Sum(p => p.Mm?.Vmas.Count ?? 0);
            var ptes = machine.Machine.Tasks.Processes.Sum(p => p.Mm?.PageTable.Count ?? 0);
            GC.Collect();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {options.Files} files, {records} rmap records (metadata included), {processes} processes, {vmas} VMAs, {ptes} PTEs, {machine.Generated.FaultedPages.Count} distinct faulted pages, device {machine.State.Pmem!.Disk.Size}; built in {built.TotalSeconds:F1} s ({string.Join(", ", timings.Select(t => $"{t.Key} {t.Value.TotalSeconds:F1} s"))}), {GC.GetTotalMemory(true) / (1 << 20)} MiB live"));
        }
    }
}
