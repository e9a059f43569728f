using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Modules;
using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// Runs scenario cells: each on a fresh <see cref="Machine"/> (its own DI container) with the
/// loaded plugins' registrations, set-up first, then the steps in order; after every step each
/// task returns to user space (pending signals are delivered) and the step's slice of the decision
/// trace (the kernel's records and log lines, in the order the kernel walked) goes into its report.
/// </summary>
internal sealed class ScenarioRunner(PluginCatalog catalog, TimeSpan? pluginDeadline = null)
{
    private readonly TimeSpan deadline = pluginDeadline ?? PluginWatchdog.DefaultDeadline;

    /// <summary>A runner over <paramref name="plugins"/>, each plugin call given <paramref name="pluginDeadline"/>.</summary>
    public ScenarioRunner(PluginSet plugins, TimeSpan? pluginDeadline)
        : this(plugins?.Catalog ?? throw new ArgumentNullException(nameof(plugins)), pluginDeadline)
    {
    }

    /// <summary>
    /// Whether each cell's set-up, events and last step carry a <see cref="DeviceMap"/> (the HTML
    /// report's map and process table). Taking one reads the filesystem's reverse map and
    /// directory tree, so it is off unless a report needs it.
    /// </summary>
    public bool TakeDeviceMaps { get; init; }

    /// <summary>The default deadline of a call into a plugin.</summary>
    public static TimeSpan DefaultPluginDeadline => PluginWatchdog.DefaultDeadline;

    /// <summary>
    /// Binds every cell and finds its filesystem's plugin before any runs, so a scenario with a
    /// bad cell is an error before a streamed report has written anything.
    /// </summary>
    public void CheckCells(ScenarioDocument document, IReadOnlyList<IReadOnlyList<ScenarioSetting>> cells)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(cells);
        foreach (var cell in cells)
        {
            if (document.Bind(cell).FileSystem is { } fs && catalog.FindProvider(fs.Type) is null)
            {
                throw NoProvider(fs, catalog.Plugins.SelectMany(p => p.FileSystemNames));
            }
        }
    }

    /// <summary>
    /// Every cell of a scenario in order; <paramref name="cellDone"/> is told after each (progress),
    /// <paramref name="listener"/> of each step as it is done and of each cell's report.
    /// </summary>
    public IReadOnlyList<RunReport> RunAll(ScenarioDocument document, IReadOnlyList<IReadOnlyList<ScenarioSetting>> cells, Action? cellDone = null, IRunListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var runs = new List<RunReport>();
        foreach (var cell in cells)
        {
            var run = Run(document, cell, listener);
            runs.Add(run);
            listener?.CellDone(run);
            cellDone?.Invoke();
        }

        return runs;
    }

    /// <summary>
    /// One cell on a fresh machine, watched: a plugin fault (a throw, a call past the deadline, a
    /// contract violation) ends the cell, and the report holds what ran until then and the fault.
    /// </summary>
    public RunReport Run(ScenarioDocument document, IReadOnlyList<ScenarioSetting> cell) => Run(document, cell, null);

    private RunReport Run(ScenarioDocument document, IReadOnlyList<ScenarioSetting> cell, IRunListener? listener)
    {
        ArgumentNullException.ThrowIfNull(document);
        var scenario = document.Bind(cell);
        var machine = PluginModules.Boot(catalog, scenario.Kernel);
        var cellRun = new CellRun(scenario, cell, machine);
        if (listener is not null)
        {
            cellRun.Listen(listener, catalog);
        }

        try
        {
            PluginWatchdog.Run(machine.PluginCalls, deadline, () => RunSteps(cellRun, TakeDeviceMaps ? new DeviceMapCapture() : null));
        }
        catch (PluginFault fault)
        {
            cellRun.Faulted(fault);
        }
        finally
        {
            if (!machine.PluginCalls.IsAbandoned)
            {
                machine.Dispose();
            }
        }

        return cellRun.Report(catalog);
    }

    private static int RunSteps(CellRun cell, DeviceMapCapture? maps)
    {
        var machine = cell.Machine;
        var scenario = cell.Scenario;
        cell.Begin(0, scenario.FileSystem?.TypeAt ?? CellRun.Whole(scenario));
        var state = cell.State = new RunState(scenario, machine, FindType(scenario, machine));
        var (setupResult, notes) = ScenarioSetup.Run(state);
        var setup = Slice(state, 0, "setup", "namespace, mkfs, mount and files", setupResult, false, cell.DecisionMark, notes, null);
        maps?.Observe(state, setup.Decisions);
        cell.Add(maps is null ? setup : setup with { Map = maps.Take(state) });

        var runner = new StepRunner(state);
        for (var i = 0; i < scenario.Steps.Count; i++)
        {
            var step = scenario.Steps[i];
            cell.Begin(i + 1, step.At);
            string what;
            StepResult result;
            if (machine.Kernel.Panicked)
            {
                (what, result) = (step.Kind, StepResult.NotRun("the kernel panicked"));
            }
            else
            {
                try
                {
                    (what, result) = runner.Run(step);
                }
                catch (StepNotRunException e)
                {
                    (what, result) = (step.Kind, StepResult.NotRun(e.Message));
                }

                machine.DeliverPendingSignals();
            }

            // The map is taken after the step's slice of the trace is cut and before the next
            // step's mark, so nothing it might trace lands in a step.
            var report = Slice(state, i + 1, step.Kind, what, result, step.IsEvent, cell.DecisionMark, [], step.Expect.Count == 0 ? null : step);
            maps?.Observe(state, report.Decisions);
            var mapped = maps is not null && (step.IsEvent || i == scenario.Steps.Count - 1);
            cell.Add(mapped ? report with { Map = maps!.Take(state) } : report);
        }

        cell.Begin(scenario.Steps.Count + 1, CellRun.Whole(scenario));
        machine.UnloadModules();
        return 0;
    }

    /// <summary>The registered filesystem type the scenario names (get_fs_type), or the scenario's error.</summary>
    internal static FileSystemTypeEntry? FindType(Scenario scenario, Machine machine)
    {
        if (scenario.FileSystem is not { } fs)
        {
            return null;
        }

        return machine.Filesystems.GetFsType(fs.Type)
            ?? throw NoProvider(fs, machine.Filesystems.Types.Select(t => t.Name));
    }

    private static ScenarioException NoProvider(FileSystemSpec fs, IEnumerable<string> loaded) =>
        new(fs.TypeAt, $"no loaded plugin provides filesystem '{fs.Type}' (loaded: {string.Join(", ", loaded.Order(StringComparer.Ordinal))})");

    /// <summary>The step that was running when a plugin faulted: what it recorded until then, ending in the fault.</summary>
    internal static StepReport FaultedStep(Machine machine, int number, string kind, bool isEvent, int decisionMark) =>
        new(number, kind, number == 0 ? "namespace, mkfs, mount and files" : kind, new StepResult("plugin fault"), isEvent, machine.Trace.Since(decisionMark), []);

    private static StepReport Slice(RunState state, int number, string kind, string what, StepResult result, bool isEvent, int decisionMark, IReadOnlyList<SetupRecord> notes, Step? step)
    {
        IReadOnlyList<Decision> decisions = [.. state.Machine.Trace.Since(decisionMark), .. notes];
        var expectations = step is null ? [] : ExpectationChecker.Check(step, result, decisions, state);
        return new StepReport(number, kind, what, result, isEvent, decisions, expectations);
    }

    private static string Options(FsOptions options) => options.Pairs.Count == 0 ? "(none)" : options.ToString();
}
