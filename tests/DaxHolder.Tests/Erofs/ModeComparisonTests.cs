using System.Text;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Erofs.Support;
using DaxHolder.Tests.Kernel.Support;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Erofs;

/// <summary>
/// The same image and events, kernel-faithful (no holder, the generic path,
/// mf_generic_kill_procs()) beside the notify_failure=rmap proposal: one line per target with each
/// mode's return code, action result, kills and EROFS lines. Approved per profile.
/// </summary>
public sealed class ModeComparisonTests
{
    private static readonly (string Target, string Mkfs)[] Targets =
    [
        ("deduplicated page, /b faulted last, poisoned by /a's mapper", "chunksize=4096"),
        ("same page without dedupe", ""),
        ("plain page not faulted", ""),
        ("inline tail of /t", ""),
        ("compressed cluster of /a", "z=lz4"),
        ("sb", "chunksize=4096"),
        ("chunk-index /a", "chunksize=4096"),
        ("free space past the image", ""),
    ];

    private static readonly SourceFile[] Tree =
    [
        ErofsMachine.File("/a", 16384, "A"),
        ErofsMachine.File("/b", 16384, "A"),
        ErofsMachine.Unique("/t", 4196),
    ];

    /// <summary>
    /// mf_generic_kill_procs() and dax_associate_entry() versus the proposal: with dedupe the
    /// kernel considers only the file that faulted the page last (the injector of /a is not
    /// signalled, madvise returns 0), the rmap mode considers every sharer; metadata is "Failed"
    /// (-EBUSY) in the kernel and an erofs error with -EFSCORRUPTED in the proposal.
    /// </summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void SameImage_KernelFaithfulBesideRmap(string profile)
    {
        var text = new StringBuilder();
        foreach (var (target, mkfs) in Targets)
        {
            text.Append(target).Append(" (mkfs ").Append(mkfs.Length == 0 ? "defaults" : mkfs).AppendLine(")");
            text.Append("  kernel: ").AppendLine(Run(profile, mkfs, "dax=always", target));
            text.Append("  rmap:   ").AppendLine(Run(profile, mkfs, "dax=always,notify_failure=rmap", target));
        }

        text.ToString().ShouldMatchApprovedText(profile);
    }

    private static string Run(string profile, string mkfs, string mount, string target)
    {
        using var m = new ErofsMachine(Tree, profile, mkfs, mount);
        var reader = m.Spawn(100, "reader");
        var other = m.Spawn(101, "other");
        TestMachine.SetMceKill(other, MceKillPolicy.Early);
        var ra = m.MapShared(reader, "/a", 4);
        m.Touch(reader, ra, 0);
        var ob = m.MapShared(other, "/b", 4);
        m.Touch(other, ob, 0);
        var rc = Errno.Ok;
        Action inject = target switch
        {
            "deduplicated page, /b faulted last, poisoned by /a's mapper" or "same page without dedupe" => () => rc = m.Machine.Madvise.HwPoison(reader, TestMachine.AddressOf(ra, 0), ByteLength.Page),
            "plain page not faulted" => () => rc = m.Machine.HwpoisonInject.CorruptPfn(reader, m.PfnAt(m.ExtentOf("/a", 2))),
            "inline tail of /t" => () => rc = m.Machine.HwpoisonInject.CorruptPfn(reader, m.PfnAt(m.Metadata("inline-tail /t"))),
            "compressed cluster of /a" => () => rc = m.Machine.HwpoisonInject.CorruptPfn(reader, m.PfnAt(m.ExtentOf("/a", 0))),
            "free space past the image" => () => rc = m.Machine.HwpoisonInject.CorruptPfn(reader, m.PfnAt(new DeviceExtent(m.Pmem.Disk.Start.Add(new ByteLength(1UL << 20)), ByteLength.Page))),
            _ => () => rc = m.Machine.HwpoisonInject.CorruptPfn(reader, m.PfnAt(m.Metadata(target))),
        };

        var (decisions, log) = m.Record(inject);
        var result = decisions.OfType<ActionResultRecorded>().Select(a => a.Result.ToString()).FirstOrDefault() ?? "none";
        var kills = decisions.OfType<DaxKillProcsCalled>().Select(k => $"mf_dax_kill_procs(ino {k.Inode}, {k.Index}, {k.Count})")
            .Concat(decisions.OfType<GenericPathTaken>().Select(_ => "generic path"))
            .Concat(decisions.OfType<SignalSent>().Select(s => $"{DaxHolder.Kernel.Signal.Signals.CodeName(s.Signal.Code)} to {s.Signal.Task}"));
        var erofs = log.Where(l => l.StartsWith("erofs", StringComparison.Ordinal) || l.StartsWith("WARNING", StringComparison.Ordinal));
        var actions = kills.ToList() is { Count: > 0 } list ? string.Join(", ", list) : "no action";
        return $"{rc.ToKernelString()} {result}; {actions}{string.Concat(erofs.Select(l => $" | {l}"))}";
    }
}
