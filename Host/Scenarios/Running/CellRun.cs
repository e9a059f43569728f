using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Modules;
using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// One scenario cell as it runs: the step reports so far, which step is running (its number,
/// location and the trace mark it started at), and the plugin fault that ended it, if
/// any. The watchdog's thread reads it after abandoning a cell, so the list is locked. A listener,
/// when there is one, is told of each step as it is added, under the same lock, until the cell
/// ends (a fault, or its report), so an abandoned cell's thread tells it nothing more.
/// </summary>
internal sealed class CellRun(Scenario scenario, IReadOnlyList<ScenarioSetting> cell, Machine machine)
{
    private IRunListener? listener;
    private PluginCatalog? listenerCatalog;

    private readonly List<StepReport> steps = [];
    private readonly Lock gate = new();
    private int running = -1;
    private SourceLocation runningAt = Whole(scenario);

    public Scenario Scenario { get; } = scenario;

    public Machine Machine { get; } = machine;

    public RunState? State { get; set; }

    public int DecisionMark { get; private set; }

    public PluginFaultReport? Fault { get; private set; }

    /// <summary>The scenario as a whole, for a fault outside any step (module init or exit).</summary>
    public static SourceLocation Whole(Scenario scenario) => new(scenario.File, 0, 0, "scenario");

    /// <summary>Tells <paramref name="runListener"/> of each step from now on (the catalog names the plugin in the header).</summary>
    public void Listen(IRunListener runListener, PluginCatalog catalog)
    {
        lock (gate)
        {
            listener = runListener;
            listenerCatalog = catalog;
        }
    }

    /// <summary>Step <paramref name="number"/> (0 for set-up) starts.</summary>
    public void Begin(int number, SourceLocation at)
    {
        lock (gate)
        {
            running = number;
            runningAt = at;
            DecisionMark = Machine.Trace.Mark;
        }
    }

    /// <summary>The running step finished.</summary>
    public void Add(StepReport step)
    {
        lock (gate)
        {
            steps.Add(step);
            running = -1;
            listener?.StepDone(() => Snapshot(listenerCatalog!), step);
        }
    }

    /// <summary>A plugin fault ended the cell: the running step is kept with what it recorded, then the fault.</summary>
    public void Faulted(PluginFault fault)
    {
        lock (gate)
        {
            if (running >= 0 && running <= Scenario.Steps.Count)
            {
                var step = running == 0 ? null : Scenario.Steps[running - 1];
                steps.Add(ScenarioRunner.FaultedStep(Machine, running, step?.Kind ?? "setup", step?.IsEvent ?? false, DecisionMark));
            }

            Fault = new PluginFaultReport(runningAt, fault.Module.Name, fault.Module.Version, fault.Call, fault.Arguments, fault.Kind.ToString(), fault.Detail);
            listener = null;
        }
    }

    /// <summary>The cell's report: header, the steps that ran, and the fault.</summary>
    public RunReport Report(PluginCatalog catalog)
    {
        lock (gate)
        {
            listener = null;
            return Snapshot(catalog);
        }
    }

    /// <summary>The cell's report as it stands.</summary>
    private RunReport Snapshot(PluginCatalog catalog)
    {
        lock (gate)
        {
            var device = Scenario.Device;
            var name = device.Mode == DeviceMode.Devdax ? State?.Devdax?.Name : State?.Pmem?.Name;
            var deviceLine = device.Mode == DeviceMode.Devdax
                ? $"{name ?? "dax0.0"}: devdax namespace of {Quantities.FormatSize(device.Size.Value)} at 0x{device.PhysicalBase:x}, data offset {Quantities.FormatSize(device.DataOffset.Value)}, align {Quantities.FormatSize(device.Align)}"
                : $"{name ?? "pmem0"}: fsdax namespace of {Quantities.FormatSize(device.Size.Value)} at 0x{device.PhysicalBase:x}, data offset {Quantities.FormatSize(device.DataOffset.Value)}, memmap {(device.Memmap == Kernel.Mm.Memremap.MemmapLocation.Device ? "dev" : "mem")}";
            var plugin = State?.Plugin ?? (Scenario.FileSystem is { } f ? catalog.FindProvider(f.Type)?.Name : null);
            var fsLine = Scenario.FileSystem is { } fs ? $"{fs.Type} (plugin {plugin}): mkfs {Options(fs.Mkfs)}; mount -o {Options(fs.Mount)}" : null;
            return new RunReport(Scenario.Name, Scenario.Description, cell, Scenario.Kernel.ToString(), deviceLine, fsLine, [.. steps]) { Fault = Fault };
        }
    }

    private static string Options(FsOptions options) => options.Pairs.Count == 0 ? "(none)" : options.ToString();
}
