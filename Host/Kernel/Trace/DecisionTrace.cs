using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Kernel.Trace;

/// <summary>
/// The decisions one machine has taken, in the order the kernel walked them, like a tracepoint
/// buffer. A call is recorded where it was made (<see cref="Enter"/>) and completed with its return
/// value when it returns (<see cref="Return"/>), so what the callee did follows the call line.
/// Every step of a scenario takes the slice it produced.
/// </summary>
internal sealed class DecisionTrace
{
    /// <summary>At most this many rmap records are kept per notify_failure call; the rest are counted.</summary>
    public const int RmapListed = 16;

    private readonly AppendList<Decision> decisions = new();
    private readonly Stack<RmapWalk> walks = new();

    public IReadOnlyList<Decision> All => decisions;

    public int Mark => decisions.Count;

    public void Add(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        decisions.Add(decision);
    }

    /// <summary>Records a call as it is made; <see cref="Return"/> fills in its result at the same place.</summary>
    public int Enter(Decision call)
    {
        Add(call);
        return decisions.Count - 1;
    }

    /// <summary>The call recorded at <paramref name="slot"/> (by <see cref="Enter"/>) returned <paramref name="result"/>: its record is completed in place.</summary>
    public void Return(int slot, Errno result)
    {
        switch (decisions[slot])
        {
            case HolderNotified call:
                call.Result = result;
                break;
            case DaxKillProcsCalled call:
                call.Result = result;
                break;
            default:
                throw new InvalidOperationException($"trace slot {slot} holds {decisions[slot].GetType().Name}, not a call that returns an errno");
        }
    }

    /// <summary>A holder's notify_failure starts: the rmap queries and records it traces belong to it.</summary>
    public void BeginRmapWalk(string plugin) => walks.Push(new RmapWalk(plugin));

    /// <summary>The notify_failure call returned (or faulted): its last query's count is filled in and records past the cap are counted.</summary>
    public void EndRmapWalk()
    {
        if (!walks.TryPop(out var walk))
        {
            return;
        }

        CloseQuery(walk);
        if (walk.Visited > RmapListed)
        {
            Add(new RmapRecordsElided(walk.Plugin, walk.Visited - RmapListed));
        }
    }

    /// <summary>The walking holder queries its reverse map over <paramref name="range"/>; false outside any notify_failure call.</summary>
    public bool RmapQuery(DeviceExtent range)
    {
        if (!walks.TryPeek(out var walk))
        {
            return false;
        }

        CloseQuery(walk);
        walk.QuerySlot = Enter(new RmapQueried(walk.Plugin, range, null));
        walk.Found = 0;
        return true;
    }

    /// <summary>The walking holder visited <paramref name="record"/>, kept while under the cap; false outside any notify_failure call.</summary>
    public bool RmapRecord(RmapRecord record, RmapVisit visit)
    {
        if (!walks.TryPeek(out var walk))
        {
            return false;
        }

        walk.Found++;
        if (++walk.Visited <= RmapListed)
        {
            Add(new RmapRecordVisited(walk.Plugin, record, visit));
        }

        return true;
    }

    public IReadOnlyList<Decision> Since(int mark) => decisions.From(mark);

    /// <summary>Forgets the decisions after <paramref name="mark"/>: bench/ replays a read-only walk without growing the trace.</summary>
    internal void TruncateTo(int mark) => decisions.TruncateTo(mark);

    private void CloseQuery(RmapWalk walk)
    {
        if (walk.QuerySlot is { } slot)
        {
            ((RmapQueried)decisions[slot]).Found = walk.Found;
            walk.QuerySlot = null;
        }
    }

    /// <summary>One notify_failure call's walk: its open query and how many records it visited.</summary>
    private sealed class RmapWalk(string plugin)
    {
        public string Plugin { get; } = plugin;

        public int? QuerySlot { get; set; }

        public int Found { get; set; }

        public int Visited { get; set; }
    }
}
