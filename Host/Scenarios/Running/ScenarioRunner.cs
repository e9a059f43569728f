using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Host.Kernel;
using DaxHolder.Host.Kernel.Trace;
using DaxHolder.Host.PluginLoading;
using DaxHolder.Host.Scenarios.Language;
using DaxHolder.Host.Scenarios.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Host.Scenarios.Running;

/// <summary>
/// Runs scenario cells: each on a fresh <see cref="Machine"/> (its own DI container) with the
/// loaded plugins' registrations, set-up first, then the steps in order; after every step each
/// task returns to user space (pending signals are delivered) and the step's decisions and log
/// lines are sliced off into its report.
/// </summary>
internal sealed class ScenarioRunner(PluginCatalog catalog)
{
    /// <summary>At most this many rmap records are listed under a holder notification.</summary>
    private const int RmapListed = 16;

    /// <summary>Every cell of a scenario in order; <paramref name="cellDone"/> is told after each (progress).</summary>
    public IReadOnlyList<RunReport> RunAll(ScenarioDocument document, IReadOnlyList<IReadOnlyList<ScenarioSetting>> cells, Action? cellDone = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var runs = new List<RunReport>();
        foreach (var cell in cells)
        {
            runs.Add(Run(document, cell));
            cellDone?.Invoke();
        }

        return runs;
    }

    public RunReport Run(ScenarioDocument document, IReadOnlyList<ScenarioSetting> cell)
    {
        ArgumentNullException.ThrowIfNull(document);
        var scenario = document.Bind(cell);
        using var machine = Machine.Boot(scenario.Kernel, catalog.Plugins.SelectMany(p => p.Registrations));
        var (type, plugin) = FindType(catalog, scenario, machine);
        var state = new RunState(scenario, machine, type, plugin);
        var steps = new List<StepReport>();

        var decisions = machine.Trace.Mark;
        var log = machine.Kernel.Log.Mark;
        var (setupResult, notes) = ScenarioSetup.Run(state);
        steps.Add(Slice(state, 0, "setup", "namespace, mkfs, mount and files", setupResult, false, decisions, log, notes, null));

        var runner = new StepRunner(state);
        for (var i = 0; i < scenario.Steps.Count; i++)
        {
            var step = scenario.Steps[i];
            decisions = machine.Trace.Mark;
            log = machine.Kernel.Log.Mark;
            string what, result;
            if (machine.Kernel.Panicked)
            {
                (what, result) = (step.Kind, "not run: the kernel panicked");
            }
            else
            {
                try
                {
                    (what, result) = runner.Run(step);
                }
                catch (StepNotRunException e)
                {
                    (what, result) = (step.Kind, $"not run: {e.Message}");
                }
                catch (PluginCallException e)
                {
                    machine.Trace.Add(new PluginFaulted(e.Plugin, e.Call, e.InnerException?.Message ?? e.Message, Errno.EIO));
                    (what, result) = (step.Kind, $"{Errno.EIO.ToKernelString()} (plugin fault)");
                }

                machine.DeliverPendingSignals();
            }

            steps.Add(Slice(state, i + 1, step.Kind, what, result, step.IsEvent, decisions, log, [], step.Expect.Count == 0 ? null : step));
        }

        var device = scenario.Device;
        var deviceLine = device.Mode == DeviceMode.Devdax
            ? $"{state.Devdax!.Name}: devdax namespace of {Quantities.FormatSize(device.Size.Value)} at 0x{device.PhysicalBase:x}, data offset {Quantities.FormatSize(device.DataOffset.Value)}, align {Quantities.FormatSize(device.Align)}"
            : $"{state.Pmem!.Name}: fsdax namespace of {Quantities.FormatSize(device.Size.Value)} at 0x{device.PhysicalBase:x}, data offset {Quantities.FormatSize(device.DataOffset.Value)}, memmap {(device.Memmap == Kernel.Mm.Memremap.MemmapLocation.Device ? "dev" : "mem")}";
        var fsLine = scenario.FileSystem is { } fs ? $"{fs.Type} (plugin {plugin}): mkfs {Options(fs.Mkfs)}; mount -o {Options(fs.Mount)}" : null;
        return new RunReport(scenario.Name, scenario.Description, cell, scenario.Kernel.ToString(), deviceLine, fsLine, steps);
    }

    /// <summary>The filesystem type the scenario names and the loaded plugin that provides it.</summary>
    internal static (IFileSystemType? Type, string? Plugin) FindType(PluginCatalog catalog, Scenario scenario, Machine machine)
    {
        if (scenario.FileSystem is not { } fs)
        {
            return (null, null);
        }

        var owner = catalog.Plugins.FirstOrDefault(p => p.FileSystemNames.Contains(fs.Type, StringComparer.Ordinal))
            ?? throw new ScenarioException(fs.TypeAt, $"no loaded plugin provides filesystem '{fs.Type}' (loaded: {string.Join(", ", catalog.Plugins.SelectMany(p => p.FileSystemNames).Order(StringComparer.Ordinal))})");
        var type = machine.Services.GetServices<IFileSystemType>().First(t => PluginGuard.Invoke(owner.Name, "IFileSystemType.Name", () => t.Name) == fs.Type);
        return (type, owner.Name);
    }

    private static StepReport Slice(RunState state, int number, string kind, string what, string result, bool isEvent, int decisionMark, int logMark, List<DecisionView> notes, Step? step)
    {
        var decisions = state.Machine.Trace.Since(decisionMark);
        var log = state.Machine.Kernel.Log.Since(logMark).Select(l => l.Text).ToList();
        var views = new List<DecisionView>();
        foreach (var decision in decisions)
        {
            views.Add(DecisionFormatter.Format(decision));
            if (decision is HolderNotified notified)
            {
                views.AddRange(RmapRecords(state, notified));
            }
        }

        views.AddRange(notes);
        var expectations = step is null ? [] : ExpectationChecker.Check(step, result, decisions, log, state);
        return new StepReport(number, kind, what, result, isEvent, views, log, expectations);
    }

    /// <summary>
    /// The filesystem's rmap records for a notified range, as its notify_failure walks them
    /// (not for a holder that declined with -EOPNOTSUPP or a dead device).
    /// </summary>
    private static List<DecisionView> RmapRecords(RunState state, HolderNotified notified)
    {
        if (state.Mount is not { } mount || notified.Result is Errno.EOPNOTSUPP or Errno.ENXIO || notified.Holder != mount.Plugin)
        {
            return [];
        }

        var range = new DeviceExtent(notified.Offset, notified.Length);
        var records = PluginGuard.Invoke(mount.Plugin, "ReverseMap.Query", () => mount.FileSystem.ReverseMap.Query(range));
        var views = records.Take(RmapListed).Select(r => Rmap(mount, r)).ToList();
        if (records.Count > RmapListed)
        {
            views.Add(new DecisionView("rmap", $"... and {records.Count - RmapListed} more records", [new("more", records.Count - RmapListed)]));
        }

        return records.Count == 0 ? [new DecisionView("rmap", $"{range}: no records (free space)", [new("range", range.ToString())])] : views;
    }

    private static DecisionView Rmap(Kernel.Fs.Mount mount, RmapRecord r)
    {
        var owner = r.Owner.Inode is { } ino
            ? $"inode {ino} offset {r.FileOffset}{(mount.FileSystem.Inodes.FindInCore(ino) is null ? " (not in core)" : "")}"
            : $"metadata {r.Owner.Metadata}";
        var flags = r.Flags == RmapRecordFlags.None ? "" : $" [{r.Flags}]";
        return new DecisionView("rmap", $"{r.Extent} {owner}{flags}",
            [new("start", r.Extent.Start.Value), new("length", r.Extent.Length.Value), new("owner", r.Owner.ToString()), new("file_offset", r.FileOffset?.Value), new("flags", r.Flags.ToString())]);
    }

    private static string Options(FsOptions options) => options.Pairs.Count == 0 ? "(none)" : options.ToString();
}
