using DaxHolder.Abstractions;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;

namespace DaxHolder.Bench.Baseline;

/// <summary>
/// The host's dispatch over the same page loop: MemoryFailureHandler.CollectProcsFsdax (the
/// i_mmap-first walk), its decisions read back from the machine's trace, which is then cut back
/// so that replaying the walk does not grow it.
/// </summary>
internal static class HostCollect
{
    public static Decisions KillProcsWalk(Machine machine, AddressSpace mapping, PageIndex index, ulong count, bool preRemove)
    {
        var decisions = new Decisions();
        var mark = machine.Trace.Mark;
        for (ulong i = 0; i < count; i++)
        {
            var pgoff = new PageIndex(index.Value + i);
            var (result, entry, page) = machine.Dax.DaxLockMappingEntry(mapping, pgoff);
            decisions.Pages.Add(pgoff);
            if (result != DaxLockResult.Locked)
            {
                continue;
            }

            try
            {
                decisions.ToKill.AddRange(machine.MemoryFailure.CollectProcsFsdax(page!, mapping, pgoff, preRemove));
            }
            finally
            {
                FsDax.DaxUnlockMappingEntry(entry!);
            }
        }

        decisions.Trace.AddRange(machine.Trace.Since(mark));
        machine.Trace.TruncateTo(mark);
        return decisions;
    }
}
