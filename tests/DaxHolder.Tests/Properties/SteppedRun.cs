using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Properties;

/// <summary>
/// One user page of a file mapping as it was just before an event: whose VMA, the address, the
/// file (inode) and page index, the pfn the file's block sits on (an iomap report; null for a
/// hole), and the page-table leaf at the address (null when nothing is faulted in).
/// </summary>
internal sealed record PageView(ThreadGroup Process, VmArea Vma, UserAddress Address, InodeNumber Inode, PageIndex Pgoff, Pfn? FilePfn, PageTableEntry? Entry);

/// <summary>
/// The machine just before an event or a touch: the pfns the event poisons (null for unbind: every
/// page of the device; for a touch, the pfns memory_failure() handled during it), the task the
/// step runs as (null: a kworker), the user range it touches, every
/// mapped file page of every live process, and which threads are early-kill.
/// </summary>
internal sealed record EventSnapshot(IReadOnlyList<Pfn>? Poisoned, TaskStruct? Current, UserAddress? Address, ulong Length, IReadOnlyList<PageView> Pages, IReadOnlyDictionary<int, (TaskStruct Task, bool Early)> Threads)
{
    /// <summary>True when the pfn is what the event poisons.</summary>
    public bool IsPoisoned(Pfn? pfn) => pfn is { } p && (Poisoned is null || Poisoned.Contains(p));

    /// <summary>True when the step's own access or call covers <paramref name="address"/> of <paramref name="task"/> (it faults the page in itself).</summary>
    public bool IsOwnAccess(TaskStruct task, UserAddress address) =>
        ReferenceEquals(task, Current) && Address is { } start && address.Value >= start.Value && address.Value < start.Value + Length;
}

/// <summary>A step that ran: the step, the tid of the task whose call or access it is, the snapshot taken before it (events only) and its slice of the decision trace.</summary>
internal sealed record SteppedStep(Step Step, int? TaskTid, EventSnapshot? Before, IReadOnlyList<Decision> Decisions);

/// <summary>
/// Runs a scenario's single cell step by step, as <c>daxholder run</c> does (ScenarioSetup, then
/// StepRunner with pending signals delivered after each step), keeping each step's decisions and,
/// before each event, a snapshot of who maps what; <c>beforeEvent</c> may look at the machine
/// there (it must leave it as it found it).
/// </summary>
internal static class SteppedRun
{
    public static List<SteppedStep> Run(string yaml, Action<RunState, EventSnapshot>? beforeEvent = null)
    {
        var document = ScenarioDocument.FromText("property.yaml", yaml);
        var scenario = document.Bind(document.Cells([])[0]);
        using var machine = PluginModules.Boot(ScenarioHarness.Plugins, scenario.Kernel);
        var state = new RunState(scenario, machine, ScenarioRunner.FindType(scenario, machine));
        var (setup, _) = ScenarioSetup.Run(state);
        setup.ShouldBe(StepResult.Ok, "set-up of a generated scenario");
        var runner = new StepRunner(state);
        var steps = new List<SteppedStep>();
        foreach (var step in scenario.Steps)
        {
            if (machine.Kernel.Panicked)
            {
                break;
            }

            var before = step.IsEvent || step is TouchStep ? Snapshot(state, step) : null;
            if (before is not null)
            {
                beforeEvent?.Invoke(state, before);
            }

            var tid = TaskOf(step) is { } name ? state.FindTask(name)?.Tid : null;
            var mark = machine.Trace.Mark;
            try
            {
                runner.Run(step);
            }
            catch (StepNotRunException)
            {
                // Its task exited or its mapping went: the step is not run, as in a report.
            }

            machine.DeliverPendingSignals();
            var decisions = machine.Trace.Since(mark);
            if (step is TouchStep && before is not null)
            {
                // A touch that consumes poison enters memory_failure() for the page it hit.
                before = before with { Poisoned = [.. decisions.OfType<ActionResultRecorded>().Select(a => a.Pfn).Distinct()] };
            }

            steps.Add(new SteppedStep(step, tid, before, decisions));
        }

        return steps;
    }

    /// <summary>The task whose system call or access a step is (null: none, or a kworker).</summary>
    public static string? TaskOf(Step step) => step switch
    {
        AccessMceStep a => a.Task,
        MadviseStep m => m.Task,
        TouchStep t => t.Task,
        _ => null,
    };

    private static EventSnapshot? Snapshot(RunState state, Step step)
    {
        var machine = state.Machine;
        var pages = new List<PageView>();
        foreach (var process in machine.Tasks.Processes)
        {
            if (process.Mm is not { } mm)
            {
                continue;
            }

            foreach (var vma in mm.Vmas)
            {
                if (vma.File is not { Iomap: { } iomap } file)
                {
                    continue;
                }

                for (ulong i = 0; i < vma.Pages; i++)
                {
                    var pgoff = new PageIndex(vma.Pgoff.Value + i);
                    var address = vma.AddressOf(pgoff);
                    pages.Add(new PageView(process, vma, address, file.Mapping.Host, pgoff, PfnOf(state, iomap, file.Mapping.Host, pgoff), mm.PageTable.Lookup(address)));
                }
            }
        }

        var threads = new Dictionary<int, (TaskStruct, bool)>();
        foreach (var process in machine.Tasks.Processes)
        {
            foreach (var thread in process.Threads.Where(t => !t.Exited))
            {
                var early = (thread.Flags & TaskFlags.McePolicy) != 0
                    ? (thread.Flags & TaskFlags.MceEarly) != 0
                    : machine.Kernel.Sysctls.MemoryFailureEarlyKill == 1;
                threads[thread.Tid] = (thread, early);
            }
        }

        TaskStruct? current = null;
        UserAddress? at = null;
        Pfn? poisoned = null;
        ulong length = PageGeometry.PageSize;
        if (TaskOf(step) is { } name && state.FindTask(name) is { Exited: false } task)
        {
            current = task;
            var (map, offset) = step switch
            {
                AccessMceStep a => (a.Map, a.Offset),
                MadviseStep m => (m.Map, m.Offset),
                _ => (((TouchStep)step).Map, ((TouchStep)step).Offset),
            };
            length = step is TouchStep t ? t.Length.Value : length;
            try
            {
                var (named, vma) = state.Map(task, map);
                at = named.Start.Add(offset.Value);
                var view = pages.FirstOrDefault(p => ReferenceEquals(p.Vma, vma) && p.Address == at);
                poisoned = view?.Entry is { Kind: PteKind.Dax, Pfn: { } pfn } ? pfn : view?.FilePfn;
            }
            catch (StepNotRunException)
            {
                return null;
            }
        }
        else if (step is PoisonStep { Target.File: { } path } p && state.Mount is { } mount && mount.FileSystem.Files.Lookup(path) is { IsOk: true } ino)
        {
            poisoned = PfnOf(state, mount.FileSystem.Iomap, ino.Value, new PageIndex(p.Target.Offset.Value >> PageGeometry.PageShift));
        }
        else if (step is not UnbindStep)
        {
            return null;
        }

        return new EventSnapshot(step is UnbindStep ? null : poisoned is { } one ? [one] : [], current, at, length, pages, threads);
    }

    private static Pfn? PfnOf(RunState state, IIomapOps iomap, InodeNumber inode, PageIndex pgoff)
    {
        var offset = new FileOffset(pgoff.Value << PageGeometry.PageShift);
        var map = iomap.IomapBegin(inode, offset, ByteLength.Page, IomapRequest.Report);
        if (!map.IsOk || map.Value.Map.Address is not { } start || map.Value.Map.Type is IomapType.Hole or IomapType.Delalloc || state.Pmem is not { } pmem)
        {
            return null;
        }

        return pmem.PfnOf(start.Add(new ByteLength(offset.Value - map.Value.Map.Offset.Value)));
    }
}
