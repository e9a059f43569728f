using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>fs/dax.c fault rules (dax_iomap_fault()): PMD prerequisites, the zero page, and replacing it.</summary>
public sealed class DaxFaultEligibilityTests
{
    private const ulong PmdPages = PageGeometry.PmdSize / PageGeometry.PageSize;

    [Fact]
    public void PmdFault_WhenEveryPrerequisiteHolds_MapsA2MiBLeaf()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", PmdPages, aligned: true);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f");

        m.Touch(p, vma, page: 7);

        TestMachine.Leaf(p, vma, 7)!.Shift.ShouldBe(PageGeometry.PmdShift, "an aligned 2 MiB extent in a 2 MiB VMA below i_size maps with a PMD");
    }

    [Fact]
    public void PmdFault_WithVmNoHugePage_FallsBackToPte()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", PmdPages, aligned: true);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f", huge: false);

        m.Touch(p, vma);

        TestMachine.Leaf(p, vma)!.Shift.ShouldBe(PageGeometry.PageShift);
    }

    [Fact]
    public void PmdFault_WhenAddressAndPgoffColoursDiffer_FallsBackToPte()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 2 * PmdPages, aligned: true);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f", pages: PmdPages, pgoff: 1);

        m.Touch(p, vma);

        TestMachine.Leaf(p, vma)!.Shift.ShouldBe(PageGeometry.PageShift, "pgoff 1 at a 2 MiB-aligned address has another 2 MiB colour");
    }

    [Fact]
    public void PmdFault_WhenTheVmaIsSmallerThan2MiB_FallsBackToPte()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", PmdPages, aligned: true);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f", pages: PmdPages - 1);

        m.Touch(p, vma);

        TestMachine.Leaf(p, vma)!.Shift.ShouldBe(PageGeometry.PageShift);
    }

    [Fact]
    public void PmdFault_WhenISizeEndsInsideThe2MiB_FallsBackToPte()
    {
        using var m = new TestMachine();
        var ino = m.CreateFile("/f", PmdPages, aligned: true);
        m.Files.Truncate(ino, new ByteLength((PmdPages - 1) * PageGeometry.PageSize)).ShouldBe(Errno.Ok);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f", pages: PmdPages);

        m.Touch(p, vma);

        TestMachine.Leaf(p, vma)!.Shift.ShouldBe(PageGeometry.PageShift);
    }

    [Fact]
    public void PmdFault_WhenTheExtentIsNot2MiBAligned_FallsBackToPte()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", PmdPages, aligned: false);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f");

        m.Touch(p, vma);

        m.PfnOf("/f", 0).Value.ShouldNotBe(0UL);
        (m.PfnOf("/f", 0).Value % PmdPages).ShouldNotBe(0UL, "first-fit from block 1 is not 2 MiB-aligned");
        TestMachine.Leaf(p, vma)!.Shift.ShouldBe(PageGeometry.PageShift);
    }

    [Fact]
    public void ReadFault_OnAHole_MapsTheZeroPage_ReadOnly_NeverAssociated()
    {
        using var m = new TestMachine();
        var ino = m.Files.Create("/hole", FileCreateOptions.Default).Value;
        m.Files.Truncate(ino, ByteLength.Page).ShouldBe(Errno.Ok);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/hole", huge: false);

        m.Touch(p, vma);

        var leaf = TestMachine.Leaf(p, vma)!;
        leaf.Kind.ShouldBe(PteKind.ZeroPage);
        leaf.Writable.ShouldBeFalse();
        vma.File!.Mapping.Entries.Lookup(new PageIndex(0))!.IsZero.ShouldBeTrue();
    }

    [Fact]
    public void WriteFault_OnAHole_AllocatesAndUnmapsEveryZeroPageMapping()
    {
        using var m = new TestMachine();
        var ino = m.Files.Create("/hole", FileCreateOptions.Default).Value;
        m.Files.Truncate(ino, ByteLength.Page).ShouldBe(Errno.Ok);
        var reader = m.Spawn(100, "reader");
        var writer = m.Spawn(101, "writer");
        var rv = m.MapShared(reader, "/hole", huge: false);
        var wv = m.MapShared(writer, "/hole", huge: false);
        m.Touch(reader, rv);

        var (decisions, _) = m.Record(() => m.Touch(writer, wv, write: true));

        TestMachine.Leaf(reader, rv).ShouldBeNull("dax_insert_entry unmaps the zero page from every process");
        TestMachine.Leaf(writer, wv)!.Kind.ShouldBe(PteKind.Dax);
        decisions.OfType<RangeUnmapped>().ShouldHaveSingleItem().Removed.ShouldHaveSingleItem().Task.Pid.ShouldBe(100);
        var page = m.Machine.Pagemaps.Find(m.PfnOf("/hole", 0))!.PageOf(m.PfnOf("/hole", 0));
        page.Mapping.ShouldBe(wv.File!.Mapping, "the new block is associated with the file");
    }

    [Fact]
    public void PteFault_InsideAPmdZeroEntry_DowngradesIt_UnmappingThe2MiB()
    {
        using var m = new TestMachine();
        var ino = m.Files.Create("/hole", new FileCreateOptions(new ByteLength(PageGeometry.PmdSize))).Value;
        m.Files.Truncate(ino, new ByteLength(PageGeometry.PmdSize)).ShouldBe(Errno.Ok);
        var huge = m.Spawn(100, "huge");
        var small = m.Spawn(101, "small");
        var hv = m.MapShared(huge, "/hole");
        var sv = m.MapShared(small, "/hole", huge: false);
        m.Touch(huge, hv);
        TestMachine.Leaf(huge, hv)!.Shift.ShouldBe(PageGeometry.PmdShift, "a read of a 2 MiB hole maps the huge zero folio");

        m.Touch(small, sv, page: 3);

        TestMachine.Leaf(huge, hv).ShouldBeNull("the PMD zero entry is downgraded: its 2 MiB is unmapped everywhere");
        TestMachine.Leaf(small, sv, 3)!.Kind.ShouldBe(PteKind.ZeroPage);
    }

    [Fact]
    public void Punch_UnmapsAndDisassociatesThePage()
    {
        using var m = new TestMachine();
        var ino = m.CreateFile("/f", 2);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f", huge: false);
        m.Touch(p, vma, page: 1);
        var pfn = m.PfnOf("/f", 1);
        var page = m.Machine.Pagemaps.Find(pfn)!.PageOf(pfn);
        page.Mapping.ShouldNotBeNull();

        m.Files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset(PageGeometry.PageSize), ByteLength.Page).ShouldBe(Errno.Ok);

        TestMachine.Leaf(p, vma, 1).ShouldBeNull();
        page.Mapping.ShouldBeNull("dax_delete_mapping_entry disassociates the page");
        page.Index.Value.ShouldBe(0UL);
    }
}
