using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Modules;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// The decision trace is one stream in the order the kernel walked, as tracepoints record it: a
/// call where it was made (completed with its return value), what it caused after it, log lines
/// at the place they were printed, and the rmap records a holder's notify_failure visited.
/// </summary>
public sealed class DecisionTraceTests
{
    /// <summary>mm/memory-failure.c: memory_failure_dev_pagemap() calls dax_holder_notify_failure(), whose holder calls mf_dax_kill_procs(), which poisons, collects, unmaps and signals.</summary>
    [Fact]
    public void MemoryFailure_HolderCallPrecedesWhatItCaused_DaxHolderNotifyFailure_MfDaxKillProcs()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        var order = decisions.Select((d, i) => (d, i)).ToList();
        int At<T>() => order.First(x => x.d is T).i;
        At<HolderNotified>().ShouldBeLessThan(At<DaxKillProcsCalled>(), "the holder is called first; its walk follows");
        At<DaxKillProcsCalled>().ShouldBeLessThan(At<PagePoisoned>());
        At<PagePoisoned>().ShouldBeLessThan(At<ProcessCollected>());
        At<ProcessCollected>().ShouldBeLessThan(At<SignalSent>());
        At<SignalSent>().ShouldBeLessThan(At<ActionResultRecorded>(), "action_result is the last thing memory_failure() does");
        decisions.OfType<HolderNotified>().Single().Result.ShouldBe(Errno.Ok, "the call line carries its return value once it returned");
        decisions.OfType<DaxKillProcsCalled>().Single().Result.ShouldBe(Errno.Ok);
    }

    /// <summary>
    /// kernel/printk: each printk line is in the trace at the place it was printed, recorded by
    /// its position in the log (the slot holds no reference): reading the trace back gives the
    /// log's lines, in the log's order, plain lines and lines kept as values
    /// (mm/memory-failure.c: kill_proc()'s "Sending SIGBUS") alike.
    /// </summary>
    [Fact]
    public void Printk_LinesRecordedByPosition_ReadBackAsTheLogsLines()
    {
        var trace = new DecisionTrace();
        var log = new DaxHolder.Kernel.Printk.KernelLog(trace);
        log.Printk(DaxHolder.Abstractions.Kernel.KernelLogLevel.Info, "first");
        trace.Add(new PagePoisoned(new Pfn(7)));
        DaxHolder.Kernel.Mm.MemoryFailure.SendingSigbusLine.Printk(log, new Pfn(7), "app", 100);

        var printed = trace.All.OfType<LogPrinted>().Select(l => l.Line).ToList();
        printed.ShouldBe(log.Lines.ToList());
        printed[0].ShouldBe(new DaxHolder.Kernel.Printk.LogLine(DaxHolder.Abstractions.Kernel.KernelLogLevel.Info, "first"));
        printed[1].Level.ShouldBe(DaxHolder.Abstractions.Kernel.KernelLogLevel.Err);
        printed[1].Text.ShouldBe("Memory failure: 0x7: Sending SIGBUS to app:100 due to hardware memory corruption");
        log.Since(1).ShouldBe([printed[1]]);
        trace.All.Select(d => d.GetType().Name).ShouldBe(["LogPrinted", "PagePoisoned", "LogPrinted"]);
        Should.Throw<InvalidOperationException>(() => trace.LogPrinted(new DaxHolder.Kernel.Printk.KernelLog().Lines, 0), "a trace records one log's lines");
    }

    /// <summary>mm/memory-failure.c: action_result() prints "recovery action for dax page" right after it records the result: the log line sits there in the stream.</summary>
    [Fact]
    public void LogLines_AreRecordsAtThePlaceTheyWerePrinted_ActionResult()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        var printed = decisions.OfType<LogPrinted>().Select(l => l.Line.Text).ToList();
        printed.ShouldBe(log, "the stream holds every log line, in order");
        var result = decisions.ToList().FindIndex(d => d is ActionResultRecorded);
        var line = decisions.ToList().FindIndex(d => d is LogPrinted l && l.Line.Text.Contains("recovery action for dax page", StringComparison.Ordinal));
        line.ShouldBe(result + 1);
    }

    [Fact]
    public void AnRmapWalk_KeepsTheFirst16Records_CountsTheRest_AndFillsTheQuerysCount()
    {
        var trace = new DecisionTrace();
        var range = new DeviceExtent(new DeviceOffset(0x10000), new ByteLength(0x100000));
        trace.BeginRmapWalk("fs");
        trace.RmapQuery(range).ShouldBeTrue();
        for (var i = 0UL; i < 20; i++)
        {
            var record = new RmapRecord(new DeviceExtent(new DeviceOffset(0x10000 + (i * 0x1000)), ByteLength.Page), RmapOwner.OfInode(new InodeNumber(100 + i)), new FileOffset(0), RmapRecordFlags.None);
            trace.RmapRecord(record, RmapVisit.Notified).ShouldBeTrue();
        }

        trace.EndRmapWalk();

        trace.All.OfType<RmapRecordVisited>().Count().ShouldBe(DecisionTrace.RmapListed);
        trace.All.OfType<RmapRecordsElided>().Single().Count.ShouldBe(4);
        trace.All[0].ShouldBe(new RmapQueried("fs", range, 20), "the query is where it was made, with what it found");
    }

    /// <summary>
    /// fs/xfs/xfs_notify_failure.c: xfs_dax_notify_failure() of a whole device visits every rmap
    /// record; a holder that passes a record's values and a maker (IKernelServices.TraceRmapRecord
    /// with a state) has the contract's record made only for the records the report lists.
    /// </summary>
    [Fact]
    public void AnRmapWalk_WithAMaker_MakesOnlyTheListedRecords_AndCountsTheRest()
    {
        var trace = new DecisionTrace();
        var range = new DeviceExtent(new DeviceOffset(0x10000), new ByteLength(0x100000));
        var made = new List<ulong>();
        trace.BeginRmapWalk("fs");
        trace.RmapQuery(range).ShouldBeTrue();
        for (var i = 0UL; i < 20; i++)
        {
            trace.RmapRecord((i, made), static s =>
            {
                s.made.Add(s.i);
                return new RmapRecord(new DeviceExtent(new DeviceOffset(0x10000 + (s.i * 0x1000)), ByteLength.Page), RmapOwner.OfInode(new InodeNumber(100 + s.i)), new FileOffset(0), RmapRecordFlags.None);
            }, RmapVisit.Notified).ShouldBeTrue();
        }

        trace.EndRmapWalk();

        made.ShouldBe([.. Enumerable.Range(0, DecisionTrace.RmapListed).Select(i => (ulong)i)]);
        trace.All.OfType<RmapRecordVisited>().Select(v => v.Record.Owner).Last().ShouldBe(RmapOwner.OfInode(new InodeNumber(115)));
        trace.All.OfType<RmapRecordsElided>().Single().Count.ShouldBe(4);
        trace.All[0].ShouldBe(new RmapQueried("fs", range, 20));
        trace.RmapRecord(0, static _ => throw new InvalidOperationException("not made outside a walk"), RmapVisit.Notified).ShouldBeFalse();
    }

    [Fact]
    public void AWalkThatFindsNothing_IsAQueryWithNoRecords()
    {
        var trace = new DecisionTrace();
        var range = new DeviceExtent(new DeviceOffset(0x10000), ByteLength.Page);
        trace.BeginRmapWalk("fs");
        trace.RmapQuery(range);
        trace.EndRmapWalk();

        trace.All.ShouldBe([new RmapQueried("fs", range, 0)]);
    }

    /// <summary>A plugin that traces an rmap walk outside its notify_failure breaks the contract: a plugin fault, not a crash and not a silent record.</summary>
    [Fact]
    public void TracingAnRmapRecordOutsideNotifyFailure_IsAContractViolation()
    {
        using var m = new TestMachine();
        var services = TestMachine.ServicesFor(m.Machine, "stray");
        var record = new RmapRecord(new DeviceExtent(new DeviceOffset(0x10000), ByteLength.Page), RmapOwner.OfMetadata("sb"), null, RmapRecordFlags.None);

        var fault = Should.Throw<PluginFault>(() => services.TraceRmapRecord(record, RmapVisit.Metadata));

        fault.Kind.ShouldBe(PluginFaultKind.ContractViolation);
        fault.Module.Name.ShouldBe("stray");
        fault.Call.ShouldBe("IKernelServices.TraceRmapRecord");
        Should.Throw<PluginFault>(() => services.TraceRmapQuery(record.Extent)).Kind.ShouldBe(PluginFaultKind.ContractViolation);
        var made = Should.Throw<PluginFault>(() => services.TraceRmapRecord(record, static r => r, RmapVisit.Metadata));
        made.Kind.ShouldBe(PluginFaultKind.ContractViolation, "the form with a maker is the same call");
        made.Call.ShouldBe("IKernelServices.TraceRmapRecord");
    }

    [Fact]
    public void Return_CompletesTheCallInPlace_AndRefusesAnotherKindOfRecord()
    {
        var trace = new DecisionTrace();
        var call = new DaxKillProcsCalled(new InodeNumber(5), new PageIndex(0), new PageCount(1), MfFlags.None, null);
        var slot = trace.Enter(call);
        trace.Add(new PagePoisoned(new Pfn(0x100000)));

        trace.Return(slot, Errno.EBUSY);

        trace.All[0].ShouldBe(new DaxKillProcsCalled(new InodeNumber(5), new PageIndex(0), new PageCount(1), MfFlags.None, Errno.EBUSY));
        call.Result.ShouldBeNull("the trace keeps the call's values, not the record it was given");
        trace.All[1].ShouldBeOfType<PagePoisoned>();
        Should.Throw<InvalidOperationException>(() => trace.Return(1, Errno.EIO));
    }
}
