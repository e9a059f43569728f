using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>mm/memremap.c: the pgmap reference and memunmap_pages, "block new, drain old".</summary>
public sealed class PagemapTeardownTests
{
    /// <summary>memunmap_pages(): a transient reference held during memunmap_pages delays removal; new lookups fail meanwhile.</summary>
    [Fact]
    public void TransientReference_DelaysRemoval_AndBlocksNewLookups()
    {
        using var m = new TestMachine(mount: false);
        var pgmap = m.Pmem.Pagemap;
        pgmap.TryGetLive().ShouldBeTrue("a memory_failure in flight holds one");

        pgmap.MemunmapPages();

        pgmap.State.ShouldBe(PagemapState.Dying, "memunmap_pages waits for the reference in flight");
        pgmap.WaitingForDrain.ShouldBeTrue();
        pgmap.TryGetLive().ShouldBeFalse("percpu_ref_kill blocks new get_dev_pagemap lookups");
        m.Machine.Pagemaps.PfnValid(m.Pmem.FirstDataPfn).ShouldBeTrue("the struct pages still exist until the drain completes");
    }

    /// <summary>memunmap_pages(): putting the last transient reference completes the teardown and removes the memory.</summary>
    [Fact]
    public void LastTransientPut_CompletesRemoval()
    {
        using var m = new TestMachine(mount: false);
        var pgmap = m.Pmem.Pagemap;
        pgmap.TryGetLive().ShouldBeTrue();
        pgmap.MemunmapPages();

        var (decisions, _) = m.Record(pgmap.Put);

        pgmap.State.ShouldBe(PagemapState.Removed);
        decisions.OfType<TeardownStep>().Select(s => s.Step).ShouldBe(["drained", "arch_remove_memory"]);
        m.Machine.Pagemaps.PfnValid(m.Pmem.FirstDataPfn).ShouldBeFalse();
    }

    /// <summary>memory_failure(), get_dev_pagemap(): memory_failure after the pgmap was killed: "memory outside kernel control", -ENXIO, "Failed" is never printed.</summary>
    [Fact]
    public void MemoryFailure_AfterPgmapKilled_IsOutsideKernelControl()
    {
        using var m = new TestMachine();
        m.Pmem.Pagemap.MemunmapPages();

        var rc = Errno.Ok;
        var (_, log) = m.Record(() => rc = m.Machine.MemoryFailure.MemoryFailure(m.Pmem.FirstDataPfn, MfFlags.ActionRequired));

        rc.ShouldBe(Errno.ENXIO);
        log.ShouldBe([$"Memory failure: {m.Pmem.FirstDataPfn}: memory outside kernel control"]);
    }

    /// <summary>mm/hwpoison-inject.c: hwpoison_inject(): once the memory is removed pfn_valid is false and corrupt-pfn answers -ENXIO without injecting.</summary>
    [Fact]
    public void CorruptPfn_AfterMemoryRemoved_IsEnxio_WithoutInjecting()
    {
        using var m = new TestMachine();
        var writer = m.Spawn(100, "inject");
        m.Pmem.Pagemap.MemunmapPages();

        var rc = Errno.Ok;
        var (_, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, m.Pmem.FirstDataPfn));

        rc.ShouldBe(Errno.ENXIO);
        log.ShouldBeEmpty();
    }
}
