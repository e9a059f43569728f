using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;
using DaxHolder.Tests.Ext4.Support;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>
/// ndctl's test/dax-ext4.sh case (test/dax-pmd.c with test/dax-poison.c's test_dax_poison()): mkfs.ext4 -b 4096, mount -o dax, an
/// image whose 2 MiB-aligned extent is PMD-mapped, MADV_HWPOISON 4 KiB in the middle, then the
/// "clear the error" step: punch a hole over the poisoned page and rewrite it.
/// </summary>
public sealed class NdctlFsdaxTests
{
    private const ulong Pages2M = PageGeometry.PmdSize / PageGeometry.PageSize;

    /// <summary>test_dax_poison()'s MADV_HWPOISON step on ext4: AR SIGBUS with lsb 21 at the exact 4 KiB address, the whole 2 MiB unmapped, "Recovered" (the generic path, mf_generic_kill_procs()).</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void PmdMappedExtent_PoisonInside_IsArLsb21_WholePmdUnmapped_NdctlDaxPoison(string profile)
    {
        using var m = new Ext4Machine(profile);
        var (p, vma) = MapImage(m);
        TestMachine.Leaf(p, vma, Pages2M / 2)!.Shift.ShouldBe(PageGeometry.PmdShift, "an aligned, written 2 MiB extent should be PMD-mapped");

        var (decisions, log) = m.Record(() => m.Madvise(p, vma, Pages2M / 2).ShouldBe(Errno.Ok));

        decisions.OfType<GenericPathTaken>().ShouldHaveSingleItem("ext4 has no holder operations: -EOPNOTSUPP, then the generic path");
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signal.AddressLsb.ShouldBe(PageGeometry.PmdShift);
        signal.Address.ShouldBe(TestMachine.AddressOf(vma, Pages2M / 2), "si_addr is the exact 4 KiB page");
        decisions.OfType<RangeUnmapped>().ShouldHaveSingleItem().Length.Value.ShouldBe(PageGeometry.PmdSize);
        TestMachine.Leaf(p, vma, 0).ShouldBeNull("the whole 2 MiB is unmapped");
        log[^1].ShouldEndWith("recovery action for dax page: Recovered");
        log.ShouldNotContain(l => l.StartsWith("EXT4-fs", StringComparison.Ordinal), "ext4 takes no part in the generic path");
    }

    /// <summary>test_dax_poison()'s "clear the error" step: fallocate(PUNCH_HOLE|KEEP_SIZE) over the poisoned page returns 0 and the 4 KiB pwrite after it writes 4096 bytes, into a new block (the freed one stays busy until the journal commits).</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void PunchHoleOverPoison_ThenRewrite_BothSucceed_NdctlDaxPoison(string profile)
    {
        using var m = new Ext4Machine(profile);
        var (p, vma) = MapImage(m);
        var poisoned = m.PfnOf("/image", Pages2M / 2);
        m.Madvise(p, vma, Pages2M / 2).ShouldBe(Errno.Ok);
        var ino = m.Files.Lookup("/image").Value;

        var punched = m.Files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset(PageGeometry.PmdSize / 2), ByteLength.Page);
        var rewritten = m.Files.Write(ino, new FileOffset(PageGeometry.PmdSize / 2), ByteLength.Page);

        punched.ShouldBe(Errno.Ok);
        rewritten.Value.ShouldBe(ByteLength.Page);
        m.PfnOf("/image", Pages2M / 2).ShouldNotBe(poisoned, "mballoc does not reuse a block freed in the running transaction");
    }

    /// <summary>The dax-pmd image: fallocate 4 MiB (one aligned unwritten extent), write it (converted to written), pwrite 4 KiB at align/2, mmap MAP_SHARED at a 2 MiB-aligned address and fault it (MAP_POPULATE reads).</summary>
    private static (DaxHolder.Kernel.Mm.Tasks.TaskStruct Task, DaxHolder.Kernel.Mm.VmArea Vma) MapImage(Ext4Machine m)
    {
        var ino = m.Files.Create("/image", FileCreateOptions.Default).Value;
        var length = new ByteLength(2 * PageGeometry.PmdSize);
        m.Files.Fallocate(ino, FallocateMode.Allocate, FileOffset.Zero, length).ShouldBe(Errno.Ok);
        m.Files.Write(ino, FileOffset.Zero, length).Value.ShouldBe(length);
        m.Files.Write(ino, new FileOffset(PageGeometry.PmdSize / 2), ByteLength.Page).Value.ShouldBe(ByteLength.Page);
        m.Pmem.OffsetOf(m.PfnOf("/image", 0)).Value.ShouldBe(m.Pmem.OffsetOf(m.PfnOf("/image", 0)).Value / PageGeometry.PmdSize * PageGeometry.PmdSize, "the allocator should align a 4 MiB request to 2 MiB");
        var p = m.Spawn(100, "dax-pmd");
        var vma = m.MapShared(p, "/image", 2 * Pages2M, at: new UserAddress(0x7f00_0000_0000));
        m.Touch(p, vma, 0);
        m.Touch(p, vma, Pages2M);
        return (p, vma);
    }
}
