using BenchmarkDotNet.Attributes;
using DaxHolder.Bench.Support;
using DaxHolder.Kernel;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Bench.Benchmarks;

/// <summary>
/// (f) Touch scaling: one task reads every page of a mapping it has just mmapped, so every
/// fault is taken (the touch step as `daxholder run` runs it). fsdax: a file on XFS made with a
/// 2 MiB stripe unit and extent-size hint, so its extents are 2 MiB aligned and the faults are PMD
/// faults (fs/dax.c: dax_iomap_pmd_fault()); device-DAX with 1 GiB alignment: PUD faults
/// (drivers/dax/device.c: __dev_dax_pud_fault()). The 1 GiB file gets a 32 GiB device: mkfs.xfs
/// with a stripe unit makes 16 AGs, and an AG must hold the file. The machine up to the mmap is built before
/// each measured touch, not measured.
/// </summary>
[Config(typeof(OnceConfig))]
public class TouchScalingBenchmarks
{
    private Machine? machine;
    private StepRunner? runner;
    private Step? touch;

    /// <summary>The mapping: fsdax PMD 4 MiB to 1 GiB, device-DAX PUD 1 GiB to 64 GiB.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "fsdax-pmd 4MiB";

    public static IEnumerable<string> Cases() => BenchMachines.SmokeRun
        ? ["fsdax-pmd 4MiB", "devdax-pud 1GiB"]
        : ["fsdax-pmd 4MiB", "fsdax-pmd 64MiB", "fsdax-pmd 1GiB", "devdax-pud 1GiB", "devdax-pud 64GiB"];

    [IterationSetup]
    public void Build()
    {
        machine?.Dispose();
        var (kind, size) = (Case.Split(' ')[0], Case.Split(' ')[1]);
        var yaml = kind == "fsdax-pmd" ? Fsdax(size) : Devdax(size);
        var document = ScenarioDocument.FromText("touch.yaml", yaml);
        var scenario = document.Bind(document.Cells([])[0]);
        machine = PluginModules.Boot(BenchMachines.Plugins, scenario.Kernel);
        var state = new RunState(scenario, machine, ScenarioRunner.FindType(scenario, machine));
        var (setup, _) = ScenarioSetup.Run(state);
        if (setup != Scenarios.Reports.StepResult.Ok)
        {
            throw new InvalidOperationException($"set-up failed: {setup}");
        }

        runner = new StepRunner(state);
        foreach (var step in scenario.Steps.Take(scenario.Steps.Count - 1))
        {
            runner.Run(step);
        }

        touch = scenario.Steps[^1];
    }

    [Benchmark(Description = "touch every page of a fresh mapping")]
    public string Touch()
    {
        var (what, result) = runner!.Run(touch!);
        return result == Scenarios.Reports.StepResult.Done ? what : throw new InvalidOperationException($"{what}: {result}");
    }

    [GlobalCleanup]
    public void Cleanup() => machine?.Dispose();

    private static string Fsdax(string size) => $$"""
        kernel: "6.12"
        device: { size: {{(size == "1GiB" ? "32GiB" : "1GiB")}}, mode: fsdax, data-offset: 2MiB }
        filesystem:
          type: xfs
          mkfs: { reflink: 1, rmapbt: 1, su: 2m, sw: 1 }
          mount: { dax: always }
        files:
          - { path: /f, size: {{size}}, extent-size-hint: 2MiB }
        steps:
          - spawn: { task: u, comm: toucher, pid: 4001 }
          - mmap: { task: u, as: m, file: /f, length: {{size}} }
          - touch: { task: u, map: m, length: {{size}} }

        """;

    /// <summary>A namespace one 1 GiB unit larger than the mapping: the first unit holds the data offset (the info block).</summary>
    private static string Devdax(string size) => $$"""
        kernel: "6.12"
        device: { size: {{(size == "1GiB" ? "2GiB" : "65GiB")}}, mode: devdax, data-offset: 1GiB, align: 1GiB }
        steps:
          - spawn: { task: u, comm: toucher, pid: 4001 }
          - mmap: { task: u, as: m, length: {{size}} }
          - touch: { task: u, map: m, length: {{size}} }

        """;
}
