using CsCheck;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Printk;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// The trace keeps the decisions taken by the million as values (<see cref="TraceSlot"/>): every
/// one must read back as a record equal to the one recorded, whatever its values, and whether it
/// was recorded as a record or through the hot paths' writers.
/// </summary>
public sealed class TraceSlotTests
{
    private static readonly LogLine Line = new(KernelLogLevel.Err, "Memory failure: 0x100000: Sending SIGBUS to app:100 due to hardware memory corruption");

    private static readonly IReadOnlyList<UnmappedEntry> Removed = [new UnmappedEntry(new TaskName("app", 100, 101), new UserAddress(0x7f0000000000), 21)];

    private static readonly Gen<ulong> Value = Gen.OneOf(Gen.ULong, Gen.ULong[0, 4096], Gen.Const(ulong.MaxValue));

    private static readonly Gen<Pfn?> MaybePfn = Gen.OneOf(Gen.Const(() => (Pfn?)null), Value.Select(v => (Pfn?)new Pfn(v)));

    private static readonly Gen<TaskName> Task = Gen.Select(Gen.OneOf(Gen.Const("app"), Gen.String), Gen.Int, Gen.Int, (comm, pid, tid) => new TaskName(comm, pid, tid));

    private static readonly Gen<Errno?> Result = Gen.OneOf(Gen.Const(() => (Errno?)null), Gen.Const<Errno?>(Errno.Ok), Gen.Const<Errno?>(Errno.EBUSY), Gen.Int.Select(i => (Errno?)(Errno)i));

    private static readonly Gen<DaxEntryState> Entry = Gen.Select(Gen.Int[0, 2], MaybePfn, Gen.Int[0, 15], Gen.Bool,
        (lookup, pfn, flags, dirty) => new DaxEntryState((DaxEntryLookup)lookup, pfn, (DaxEntryFlags)flags, dirty));

    private static readonly Gen<SignalRecord> Signal = Gen.Select(Task, Gen.OneOf(Gen.Int[0, 64], Gen.Int), Gen.OneOf(Gen.Int[0, 0x80], Gen.Int),
        Gen.OneOf(Gen.Const(() => (UserAddress?)null), Value.Select(v => (UserAddress?)new UserAddress(v))), Gen.OneOf(Gen.Int[0, 63], Gen.Int),
        Gen.Select(Gen.Bool, Gen.Int[0, 3], (forced, queueing) => (forced, queueing)),
        (task, signal, code, address, lsb, rest) => new SignalRecord(task, signal, code, address, lsb, rest.forced, (SignalQueueing)rest.queueing));

    private static readonly Gen<UnmappedEntry> Unmapped = Gen.Select(Task, Value, Gen.OneOf(Gen.Const(12), Gen.Const(21), Gen.Int), (task, address, shift) => new UnmappedEntry(task, new UserAddress(address), shift));

    private static readonly Gen<Decision> AnyDecision = Gen.OneOf(
        Gen.Select(Value, Value, MaybePfn, Entry, (inode, index, pfn, found) => (Decision)new PageExamined(new InodeNumber(inode), new PageIndex(index), pfn, found)),
        Gen.Select(Value, Value, Value, Gen.UInt, Result, (inode, index, count, flags, result) => (Decision)new DaxKillProcsCalled(new InodeNumber(inode), new PageIndex(index), new PageCount(count), (MfFlags)flags, result)),
        Gen.Select(Task, Value, Gen.Int, (task, address, shift) => (Decision)new ProcessCollected(task, new UserAddress(address), shift)),
        Gen.Select(Task, Value, Gen.OneOf(Gen.Const(CandidateSkipped.NotEarlyKill), Gen.Const(CandidateSkipped.NoUserAddress), Gen.String),
            (task, start, reason) => (Decision)new CandidateSkipped(task, new UserAddress(start), reason)),
        Signal.Select(s => (Decision)new SignalSent(s)),
        Gen.Const((Decision)new LogPrinted(Line)),
        Gen.Select(Value, Value, Value, Unmapped.Array[0, 6], (inode, start, length, removed) => (Decision)new RangeUnmapped(new InodeNumber(inode), new FileOffset(start), new ByteLength(length), removed)),
        Value.Select(v => (Decision)new PagePoisoned(new Pfn(v))),
        Gen.Select(Value, Gen.Int[0, 3], Gen.OneOf(Gen.Const(ActionResultRecorded.DaxPage), Gen.String),
            (pfn, result, type) => (Decision)new ActionResultRecorded(new Pfn(pfn), (MfActionResult)result) { PageType = type }),
        Gen.Select(Gen.String, Value, Value, Gen.Bool, (disk, first, sectors, added) => (Decision)new BadblocksChanged(disk, first, sectors, added)),
        Gen.Select(Value, Gen.String, (pfn, reason) => (Decision)new GenericPathTaken(new Pfn(pfn), reason)),
        Gen.Select(Gen.OneOf(Gen.Const("pmem0"), Gen.String), Gen.OneOf(Gen.Const(() => (string?)null), Gen.Const((string?)"xfs")), Value, Value, Gen.UInt, Result,
            (dax, holder, offset, length, flags, result) => (Decision)new HolderNotified(dax, holder, new DeviceOffset(offset), new ByteLength(length), (MfFlags)flags, result)),
        Gen.Select(Gen.OneOf(Gen.Const("xfs"), Gen.String), Value, Value, Gen.OneOf(Gen.Const(() => (int?)null), Gen.Int.Select(i => (int?)i)),
            (plugin, start, length, found) => (Decision)new RmapQueried(plugin, new DeviceExtent(new DeviceOffset(start), new ByteLength(length)), found)),
        Gen.String.Select(s => (Decision)new NotModelled(s)));

    [Fact]
    public void EveryDecision_ReadsBackEqualToTheRecordRecorded()
    {
        AnyDecision.List[1, 40].Sample(recorded =>
        {
            var trace = new DecisionTrace();
            foreach (var decision in recorded)
            {
                trace.Add(decision);
            }

            trace.All.ShouldBe(recorded);
            trace.Since(0).ShouldBe(recorded);
            trace.Since(recorded.Count / 2).ShouldBe(recorded.Skip(recorded.Count / 2));
        }, iter: 2000);
    }

    [Fact]
    public void TheHotPathsWriters_RecordWhatTheRecordWouldHave()
    {
        Gen.Select(Value, Value, MaybePfn, Entry, Task, Value, Signal).Sample((inode, index, pfn, found, task, address, signal) =>
        {
            var trace = new DecisionTrace();
            trace.PageExamined(new InodeNumber(inode), new PageIndex(index), pfn, found);
            trace.ProcessCollected(task, new UserAddress(address), 12);
            trace.CandidateNotMapped(task, new UserAddress(index), new UserAddress(address));
            trace.CandidateNotEarlyKill(task, new UserAddress(address));
            trace.CandidateNoUserAddress(task, new UserAddress(index));
            trace.SignalSent(signal.Task, signal.Signal, signal.Code, signal.Address, signal.AddressLsb, signal.Forced, signal.Queueing);
            trace.PagePoisoned(new Pfn(inode));
            trace.LogPrinted([Line], 0);
            trace.ActionResultRecorded(new Pfn(index), MfActionResult.Recovered, "dax page");
            trace.BadblocksChanged("pmem0", address, inode, added: (index & 1) == 0);
            trace.RangeUnmapped(new InodeNumber(inode), new FileOffset(index), new ByteLength(address), Removed);

            trace.All.ShouldBe([
                new PageExamined(new InodeNumber(inode), new PageIndex(index), pfn, found),
                new ProcessCollected(task, new UserAddress(address), 12),
                new CandidateSkipped(task, new UserAddress(index), CandidateSkipped.NotMappedAt(new UserAddress(address))),
                new CandidateSkipped(task, new UserAddress(address), CandidateSkipped.NotEarlyKill),
                new CandidateSkipped(task, new UserAddress(index), CandidateSkipped.NoUserAddress),
                new SignalSent(signal),
                new PagePoisoned(new Pfn(inode)),
                new LogPrinted(Line),
                new ActionResultRecorded(new Pfn(index), MfActionResult.Recovered) { PageType = "dax page" },
                new BadblocksChanged("pmem0", address, inode, (index & 1) == 0),
                new RangeUnmapped(new InodeNumber(inode), new FileOffset(index), new ByteLength(address), Removed),
            ]);
        }, iter: 500);
    }

    /// <summary>mm/memory-failure.c: mf_dax_kill_procs() is recorded as called and completed with whatever errno it returned, even one the slot cannot hold.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-16)]
    [InlineData(16)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void ACallEnteredAsValues_IsCompletedWithItsResult_MfDaxKillProcs(int result)
    {
        var trace = new DecisionTrace();
        var slot = trace.EnterDaxKillProcs(new InodeNumber(5), new PageIndex(7), new PageCount(1), MfFlags.MemPreRemove);
        trace.PagePoisoned(new Pfn(0x100000));

        trace.All[0].ShouldBe(new DaxKillProcsCalled(new InodeNumber(5), new PageIndex(7), new PageCount(1), MfFlags.MemPreRemove, null), "not returned yet");
        trace.Return(slot, (Errno)result);

        trace.All[0].ShouldBe(new DaxKillProcsCalled(new InodeNumber(5), new PageIndex(7), new PageCount(1), MfFlags.MemPreRemove, (Errno)result));
        trace.All[1].ShouldBe(new PagePoisoned(new Pfn(0x100000)));
    }

    /// <summary>mm/memory-failure.c: unmap_and_kill() unmaps page after page; the trace copies what each unmap removed, so the list that held it can be reused.</summary>
    [Fact]
    public void AnUnmapsEntries_AreCopied_SoTheCallersListCanBeReused_UnmapAndKill()
    {
        var trace = new DecisionTrace();
        var entries = new List<UnmappedEntry>(Removed);
        trace.RangeUnmapped(new InodeNumber(5), new FileOffset(0), ByteLength.Page, entries);
        entries.Clear();
        trace.RangeUnmapped(new InodeNumber(5), new FileOffset(4096), ByteLength.Page, entries);

        trace.All.ShouldBe([
            new RangeUnmapped(new InodeNumber(5), new FileOffset(0), ByteLength.Page, Removed),
            new RangeUnmapped(new InodeNumber(5), new FileOffset(4096), ByteLength.Page, []),
        ]);
    }

    [Fact]
    public void TruncatingForgetsTheUnmapsPastTheMark_AndLaterUnmapsReadBackRight()
    {
        var trace = new DecisionTrace();
        IReadOnlyList<UnmappedEntry> two = [Removed[0], Removed[0] with { Shift = 12 }];
        trace.RangeUnmapped(new InodeNumber(1), new FileOffset(0), ByteLength.Page, Removed);
        trace.PagePoisoned(new Pfn(1));
        trace.RangeUnmapped(new InodeNumber(2), new FileOffset(0), ByteLength.Page, two);

        trace.TruncateTo(1);
        trace.RangeUnmapped(new InodeNumber(3), new FileOffset(0), ByteLength.Page, two);

        trace.All.ShouldBe([
            new RangeUnmapped(new InodeNumber(1), new FileOffset(0), ByteLength.Page, Removed),
            new RangeUnmapped(new InodeNumber(3), new FileOffset(0), ByteLength.Page, two),
        ]);
    }

    /// <summary>drivers/dax/super.c: dax_holder_notify_failure() is recorded as called and completed with whatever errno the holder returned.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-95)]
    [InlineData(int.MaxValue)]
    public void AHolderCallEnteredAsValues_IsCompletedWithItsResult_DaxHolderNotifyFailure(int result)
    {
        var trace = new DecisionTrace();
        var slot = trace.EnterHolderNotify("pmem0", "xfs", new DeviceOffset(0x200000), ByteLength.Page, MfFlags.ActionRequired);
        trace.PagePoisoned(new Pfn(0x100000));

        trace.All[0].ShouldBe(new HolderNotified("pmem0", "xfs", new DeviceOffset(0x200000), ByteLength.Page, MfFlags.ActionRequired, null), "not returned yet");
        trace.Return(slot, (Errno)result);

        trace.All[0].ShouldBe(new HolderNotified("pmem0", "xfs", new DeviceOffset(0x200000), ByteLength.Page, MfFlags.ActionRequired, (Errno)result));
        Should.Throw<InvalidOperationException>(() => trace.Return(1, Errno.EIO));
    }

    [Fact]
    public void TruncatingForgetsTheSlotsPastTheMark()
    {
        var trace = new DecisionTrace();
        for (ulong i = 0; i < 5000; i++)
        {
            trace.PagePoisoned(new Pfn(i));
        }

        trace.TruncateTo(4097);

        trace.Mark.ShouldBe(4097);
        trace.All[4096].ShouldBe(new PagePoisoned(new Pfn(4096)));
        trace.PagePoisoned(new Pfn(1));
        trace.All[4097].ShouldBe(new PagePoisoned(new Pfn(1)));
    }
}
