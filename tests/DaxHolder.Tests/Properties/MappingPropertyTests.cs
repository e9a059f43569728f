using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Tests.Properties;

/// <summary>
/// Who an event may touch, as mm/memory-failure.c decides it, over random valid scenarios on every
/// kernel profile and shipped filesystem:
/// <list type="bullet">
/// <item>collect_procs_fsdax() / collect_procs_file() collect a task only if a VMA of its process
/// in the file's i_mmap covers the page index of a file whose block is the poisoned pfn, and
/// __add_to_kill()'s dev_pagemap_mapping_shift() sees a present devmap leaf at vma_address()
/// (any present leaf from 6.15 on; the event's own access faults its page in first), and the task
/// is task_early_kill()'s choice: current (force_early), an early-kill thread, or with
/// MF_MEM_PRE_REMOVE any process's leader;</item>
/// <item>BUS_MCEERR_AR goes only to the task whose access or madvise hit the poison (kill_proc()
/// with MF_ACTION_REQUIRED and current; the fault path's VM_FAULT_HWPOISON); BUS_MCEERR_AO and
/// SIGKILL only to collected tasks (or the calling task itself);</item>
/// <item>unmap_and_kill() unmaps only after someone was collected for the page, exactly the
/// size-aligned range of the largest collected mapping, and removes only entries that mapped that
/// range of that file (unmap_mapping_range() takes every mapper of the range, collected or not).</item>
/// </list>
/// </summary>
public sealed class MappingPropertyTests
{
    public static TheoryData<string, FsKind> Cells() => ScenarioGen.Cells();

    [Theory]
    [MemberData(nameof(Cells))]
    public void Events_CollectSignalAndUnmapOnlyWhereThePoisonedPageIsMapped(string kernel, FsKind fs)
    {
        var seen = new Seen();
        PropertyCheck.Holds(ScenarioGen.Scenario(kernel, fs), s => Check(s, seen), iterations: 60);

        // The property must have had something to hold on: events that collected and signalled.
        seen.Collected.ShouldBeGreaterThan(0, "no event collected anybody");
        seen.Signals.ShouldBeGreaterThan(0, "no event signalled anybody");
    }

    /// <summary>How many decisions the property looked at.</summary>
    internal sealed class Seen
    {
        public int Collected { get; set; }

        public int Signals { get; set; }

        public int Unmaps { get; set; }
    }

    internal static void Check(PropScenario scenario, Seen? seen = null)
    {
        var steps = SteppedRun.Run(scenario.ToYaml());
        var anyPresent = KernelHas(scenario.Kernel);
        foreach (var step in steps)
        {
            var collected = new List<ProcessCollected>();
            var inMemoryFailure = false;
            foreach (var decision in step.Decisions)
            {
                switch (decision)
                {
                    case ProcessCollected c:
                        step.Before.ShouldNotBeNull(PropertyCheck.Fail(scenario, $"{step.Step.Kind} at {step.Step.At}: {c.Task} collected outside an event or access"));
                        CheckCollected(scenario, step, c, anyPresent);
                        collected.Add(c);
                        if (seen is not null) { seen.Collected++; }
                        break;
                    case SignalSent { Signal: var s }:
                        CheckSignal(scenario, step, s, step.TaskTid, collected);
                        if (seen is not null) { seen.Signals++; }
                        break;
                    case HolderNotified or GenericPathTaken or DaxKillProcsCalled or PageExamined:
                        inMemoryFailure = true;
                        break;
                    case ActionResultRecorded:
                        inMemoryFailure = false;
                        break;
                    case RangeUnmapped r when inMemoryFailure && step.Step is not UnbindStep && step.Before is { } before:
                        // unmap_and_kill()'s; a write fault's CoW or a truncate unmaps outside memory_failure().
                        CheckUnmap(scenario, step, before, r, collected);
                        if (seen is not null) { seen.Unmaps++; }
                        collected.Clear();
                        break;
                }
            }
        }
    }

    private static bool KernelHas(string kernel) =>
        DaxHolder.Kernel.Versions.KernelProfiles.Find(kernel)!.Has(KernelFeature.MappingShiftAnyPresentPte);

    private static void CheckCollected(PropScenario scenario, SteppedStep step, ProcessCollected c, bool anyPresent)
    {
        var before = step.Before!;
        string Where() => $"{step.Step.Kind} at {step.Step.At}: {c.Task} collected at {c.Address}";
        before.Threads.TryGetValue(c.Task.Tid, out var thread).ShouldBeTrue(PropertyCheck.Fail(scenario, $"{Where()}, but no such live thread before the event"));
        var views = before.Pages.Where(p => ReferenceEquals(p.Process, thread.Task.Group) && (c.Address.IsEfault || p.Address == c.Address)).ToList();
        var mapped = views.Any(p => before.IsPoisoned(p.FilePfn)
            && ((p.Entry is { } e && (anyPresent || e.Kind == PteKind.Dax)) || before.IsOwnAccess(thread.Task, p.Address)));
        mapped.ShouldBeTrue(PropertyCheck.Fail(scenario, $"{Where()}, but no VMA of its process maps the poisoned page there: {string.Join("; ", views.Select(v => $"{v.Inode}@{v.Pgoff} pfn {v.FilePfn} leaf {v.Entry}"))}"));
        var candidate = ReferenceEquals(thread.Task, before.Current) || thread.Early || (step.Step is UnbindStep && thread.Task.IsLeader);
        candidate.ShouldBeTrue(PropertyCheck.Fail(scenario, $"{Where()}, but it is neither current, nor early-kill, nor a leader under pre-remove (task_early_kill)"));
    }

    private static void CheckSignal(PropScenario scenario, SteppedStep step, SignalRecord s, int? stepTid, List<ProcessCollected> collected)
    {
        string Where() => $"{step.Step.Kind} at {step.Step.At}: {Signals.Name(s.Signal)}/{s.Code} to {s.Task}";
        var own = stepTid == s.Task.Tid;
        var wasCollected = collected.Any(c => c.Task.Tid == s.Task.Tid) || step.Decisions.OfType<ProcessCollected>().Any(c => c.Task.Tid == s.Task.Tid);
        if (s.Signal == Signals.SIGBUS && s.Code == Signals.BUS_MCEERR_AR)
        {
            own.ShouldBeTrue(PropertyCheck.Fail(scenario, $"{Where()}: BUS_MCEERR_AR to a task other than the one whose access or madvise hit the poison (step task tid {stepTid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})"));
        }
        else if (s.Signal == Signals.SIGBUS && s.Code == Signals.BUS_MCEERR_AO)
        {
            wasCollected.ShouldBeTrue(PropertyCheck.Fail(scenario, $"{Where()}: BUS_MCEERR_AO to a task the event did not collect"));
        }
        else
        {
            (own || wasCollected).ShouldBeTrue(PropertyCheck.Fail(scenario, $"{Where()}: a signal to a task that was neither collected nor the caller"));
        }
    }

    private static void CheckUnmap(PropScenario scenario, SteppedStep step, EventSnapshot before, RangeUnmapped r, List<ProcessCollected> collected)
    {
        string Where() => $"{step.Step.Kind} at {step.Step.At}: {r.Inode} {r.Start}+{r.Length} unmapped";
        var shifts = collected.Where(c => c.SizeShift > 0).Select(c => c.SizeShift).ToList();
        shifts.ShouldNotBeEmpty(PropertyCheck.Fail(scenario, $"{Where()}, but nobody was collected for the page before it (unmap_and_kill)"));
        r.Length.Value.ShouldBe(1UL << shifts.Max(), PropertyCheck.Fail(scenario, $"{Where()}: not the size of the largest collected mapping"));
        foreach (var removed in r.Removed)
        {
            var mapper = before.Pages.Any(p => p.Process.Threads.Any(t => t.Tid == removed.Task.Tid) && p.Address == removed.Address && p.Inode == r.Inode
                && p.Pgoff.Value << 12 >= r.Start.Value && p.Pgoff.Value << 12 < r.Start.Value + r.Length.Value
                && (p.Entry is not null || p.Process.Threads.Any(t => before.IsOwnAccess(t, p.Address))));
            mapper.ShouldBeTrue(PropertyCheck.Fail(scenario, $"{Where()}: removed {removed.Task} {removed.Address}, which did not map that range of that file"));
        }
    }
}
