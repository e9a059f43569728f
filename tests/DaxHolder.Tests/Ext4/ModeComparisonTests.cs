using System.Text;
using DaxHolder.Abstractions;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Ext4.Support;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>
/// The same layout, the same events, kernel-faithful (no holder, mf_generic_kill_procs()) beside
/// the notify_failure=rmap proposal: one line per target with each mode's return code, action
/// result, kills and ext4 lines. Approved per profile.
/// </summary>
public sealed class ModeComparisonTests
{
    private static readonly string[] Targets = ["file page (mapped, current)", "file page (not faulted)", "freed block", "superblock", "block-bitmap 1", "inode-table 0", "journal", "extent-block /frag"];

    /// <summary>mf_generic_kill_procs() versus the proposal on one layout: a mapped page is recovered either way; everything page-&gt;mapping does not cover is "Failed" in the kernel, while the rmap mode names and handles it.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void SameLayout_KernelFaithfulBesideRmap(string profile)
    {
        var text = new StringBuilder();
        foreach (var target in Targets)
        {
            text.AppendLine(target);
            text.Append("  kernel: ").AppendLine(Run(profile, "dax", target));
            text.Append("  rmap:   ").AppendLine(Run(profile, "dax,notify_failure=rmap", target));
        }

        text.ToString().ShouldMatchApprovedText(profile);
    }

    private static string Run(string profile, string mount, string target)
    {
        using var m = new Ext4Machine(profile, mount: mount);
        var ino = m.CreateFile("/f", 4);
        RmapHolderModeTests.Fragmented(m, "/frag", 5);
        var p = m.Spawn(100, "app");
        var v = m.MapShared(p, "/f", 4, huge: false);
        var freed = m.PfnOf("/f", 3);
        m.Files.Truncate(ino, new ByteLength(3 * PageGeometry.PageSize)).ShouldBe(Errno.Ok);
        // After the truncate: ext4_setattr() -> ext4_break_layouts() unmaps the whole file.
        m.Touch(p, v, 0);
        var pfn = target switch
        {
            "file page (mapped, current)" => m.PfnOf("/f", 0),
            "file page (not faulted)" => m.PfnOf("/f", 1),
            "freed block" => freed,
            "superblock" => m.PfnAt(m.Metadata("sb")),
            _ => m.PfnAt(m.Metadata(target)),
        };

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(p, pfn));
        var result = decisions.OfType<ActionResultRecorded>().Select(a => a.Result.ToString()).FirstOrDefault() ?? "none";
        var kills = decisions.OfType<DaxKillProcsCalled>().Select(k => $"mf_dax_kill_procs(ino {k.Inode}, {k.Index}, {k.Count})")
            .Concat(decisions.OfType<GenericPathTaken>().Select(_ => "generic path"))
            .Concat(decisions.OfType<SignalSent>().Select(s => $"{DaxHolder.Kernel.Signal.Signals.CodeName(s.Signal.Code)} to {s.Signal.Task}"));
        var ext4 = log.Where(l => !l.StartsWith("Memory failure", StringComparison.Ordinal) && !l.StartsWith("Injecting", StringComparison.Ordinal));
        var actions = kills.ToList() is { Count: > 0 } list ? string.Join(", ", list) : "no action";
        return $"{rc.ToKernelString()} {result}; {actions}{string.Concat(ext4.Select(l => $" | {l}"))}";
    }
}
