using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>Files on the media: inode numbers, first-fit extents, holes, unwritten extents, punch, truncate, unlink, reflink and CoW.</summary>
public sealed class XfsFileTests
{
    private static string Owners(XfsMachine m, DeviceOffset at, ulong pages = 1) =>
        string.Join(", ", m.Fs.ReverseMap.Query(new DeviceExtent(at, new ByteLength(pages * 4096))).Select(r => $"{r.Owner}{(r.FileOffset is { } o ? "@" + o : "")} {r.Flags}"));

    [Fact]
    public void FirstFile_IsInode131_InTheRootChunk_WithItsDataRightAfterTheChunk()
    {
        using var m = new XfsMachine();

        var ino = m.WriteFile("/f", 3 * 4096);

        ino.ShouldBe(new InodeNumber(131), "root 128, rbmino 129, rsumino 130");
        m.OffsetOf("/f", 0).ShouldBe(new DeviceOffset(24 * 4096));
        Owners(m, m.OffsetOf("/f", 0), 3).ShouldBe("inode 131@0 None");
        m.Fs.ReverseMap.LocateMetadata("inode /f").Value.ShouldBe(new DeviceExtent(new DeviceOffset(16 * 4096), ByteLength.Page), "inode 131 is in block 16 (8 inodes a block)");
    }

    [Fact]
    public void Fallocate_GivesUnwrittenExtents_AndAWriteConvertsOnlyWhatItWrites()
    {
        using var m = new XfsMachine();
        var ino = m.Files.Create("/f", FileCreateOptions.Default).Value;

        m.Files.Fallocate(ino, FallocateMode.Allocate, FileOffset.Zero, new ByteLength(4 * 4096)).ShouldBe(Errno.Ok);
        m.Files.Write(ino, new FileOffset(4096), ByteLength.Page).IsOk.ShouldBeTrue();

        Owners(m, m.OffsetOf("/f", 0), 4).ShouldBe("inode 131@0 Unwritten, inode 131@4096 None, inode 131@8192 Unwritten");
        m.Fs.Iomap.IomapBegin(ino, FileOffset.Zero, ByteLength.Page, IomapRequest.Report).Value.Map.Type.ShouldBe(IomapType.Unwritten);
        m.Files.Read(ino, FileOffset.Zero, new ByteLength(1 << 20)).Value.ShouldBe(new ByteLength(4 * 4096), "i_size is 16 KiB");
    }

    [Fact]
    public void Holes_AreHoles_AndPunchFreesWholeBlocksOnly()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 8 * 4096);
        var third = m.OffsetOf("/f", 3);

        m.Files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset((2 * 4096) + 100), new ByteLength(3 * 4096)).ShouldBe(Errno.Ok);

        m.Fs.Iomap.IomapBegin(ino, new FileOffset(3 * 4096), ByteLength.Page, IomapRequest.Report).Value.Map.Type.ShouldBe(IomapType.Hole);
        m.Fs.Iomap.IomapBegin(ino, new FileOffset(2 * 4096), ByteLength.Page, IomapRequest.Report).Value.Map.Type.ShouldBe(IomapType.Mapped, "a partial block is zeroed, not freed");
        Owners(m, third, 2).ShouldBeEmpty("the punched blocks are free: no rmap record");
        m.Files.Fallocate(ino, FallocateMode.PunchHole, FileOffset.Zero, ByteLength.Page).ShouldBe(Errno.EOPNOTSUPP, "punch must keep the size");
    }

    [Fact]
    public void TruncateAndUnlink_FreeTheBlocks_AndTheInode()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4 * 4096);
        var first = m.OffsetOf("/f", 0);

        m.Files.Truncate(ino, new ByteLength(4096)).ShouldBe(Errno.Ok);
        Owners(m, first, 4).ShouldBe("inode 131@0 None");
        m.Files.Unlink("/f").ShouldBe(Errno.Ok);

        Owners(m, first, 4).ShouldBeEmpty();
        m.Files.Lookup("/f").Error.ShouldBe(Errno.ENOENT);
        m.Files.Create("/g", FileCreateOptions.Default).Value.ShouldBe(ino, "the freed inode is the lowest free one again");
    }

    [Fact]
    public void UnlinkWhileMapped_KeepsTheBlocksUntilTheLastReferenceGoes()
    {
        using var m = new XfsMachine();
        m.WriteFile("/f", 4096);
        var block = m.OffsetOf("/f", 0);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/f");

        m.Files.Unlink("/f").ShouldBe(Errno.Ok);
        Owners(m, block).ShouldBe("inode 131@0 None", "an open (mapped) file keeps its blocks");
        m.Unmap(p, vma);

        Owners(m, block).ShouldBeEmpty("iput_final of an unlinked inode frees it");
    }

    [Fact]
    public void CloneRange_SharesBlocksWithPerBlockCounts_AndAWriteCopiesOnlyTheSharedBlock()
    {
        using var m = new XfsMachine();
        var a = m.WriteFile("/a", 4 * 4096);
        var b = m.Files.Create("/b", FileCreateOptions.Default).Value;
        m.Files.Clone(a, b).ShouldBe(Errno.Ok);
        var shared = m.OffsetOf("/a", 1);
        Owners(m, shared).ShouldBe("inode 131@0 None, inode 132@0 None", "the records are whole extents: both files map blocks 0-3 from file offset 0");
        m.Fs.Iomap.IomapBegin(b, new FileOffset(4096), ByteLength.Page, IomapRequest.Report).Value.Map.Flags.ShouldBe(IomapMappingFlags.Shared);

        m.Files.Write(b, new FileOffset(4096), ByteLength.Page).IsOk.ShouldBeTrue();

        Owners(m, shared).ShouldBe("inode 131@0 None", "the written block of /b was copied; /a keeps the old one alone");
        m.OffsetOf("/b", 1).ShouldNotBe(shared);
        m.OffsetOf("/b", 2).ShouldBe(m.OffsetOf("/a", 2), "the other blocks stay shared");
        m.Fs.ReverseMap.LocateMetadata("cow /b").IsOk.ShouldBeTrue("the CoW extent-size hint (32 blocks) left staging blocks in the CoW fork");
        Owners(m, m.Fs.ReverseMap.LocateMetadata("cow /b").Value.Start).ShouldBe("metadata cow None");
        m.Machine.Vfs.Unmount(m.Mount).ShouldBe(Errno.Ok, "eviction cancels the staging extents and the structures check out");
    }

    [Fact]
    public void Clone_WithoutReflink_IsEopnotsupp_AndOfUnalignedRanges_IsEinval()
    {
        using var plain = new XfsMachine(mkfs: "reflink=0,rmapbt=1");
        var a = plain.WriteFile("/a", 4096);
        var b = plain.Files.Create("/b", FileCreateOptions.Default).Value;
        plain.Files.Clone(a, b).ShouldBe(Errno.EOPNOTSUPP);

        using var m = new XfsMachine();
        var c = m.WriteFile("/c", 3 * 4096);
        var d = m.Files.Create("/d", FileCreateOptions.Default).Value;
        m.Files.CloneRange(c, new FileOffset(100), d, FileOffset.Zero, ByteLength.Page).ShouldBe(Errno.EINVAL);
        m.Files.CloneRange(c, FileOffset.Zero, d, FileOffset.Zero, new ByteLength(100)).ShouldBe(Errno.EINVAL, "a short length is only allowed up to the source's EOF");
        m.Files.CloneRange(c, FileOffset.Zero, c, new FileOffset(4096), new ByteLength(2 * 4096)).ShouldBe(Errno.EINVAL, "overlapping ranges of one file");
    }

    [Fact]
    public void ManyExtents_GetABmbtBlock_OwnedByTheInodeAsBmbt_AndAHitOnItShutsDown()
    {
        using var m = new XfsMachine();
        var ino = m.Files.Create("/sparse", FileCreateOptions.Default).Value;
        for (ulong i = 0; i < 24; i++)
        {
            m.Files.Write(ino, new FileOffset(i * 2 * 4096), ByteLength.Page).IsOk.ShouldBeTrue();
        }

        var bmbt = m.Fs.ReverseMap.LocateMetadata("bmbt /sparse").Value.Start;
        Owners(m, bmbt).ShouldBe("inode 131 BmbtBlock", "24 extents no longer fit in the inode's 21 slots");

        m.MachineCheckAt(bmbt).ShouldBe(Errno.EFSCORRUPTED);
        m.Mount.SuperBlock.IsShutdown.ShouldBeTrue("a bmbt block is metadata to xfs_dax_failure_fn");
    }

    [Fact]
    public void CowStagingBlock_Hit_IsMetadata_AndShutsDown()
    {
        using var m = new XfsMachine();
        var a = m.WriteFile("/a", 4096);
        var b = m.Files.Create("/b", FileCreateOptions.Default).Value;
        m.Files.Clone(a, b).ShouldBe(Errno.Ok);
        m.Files.Write(b, FileOffset.Zero, ByteLength.Page).IsOk.ShouldBeTrue();
        var staging = m.Fs.ReverseMap.LocateMetadata("cow /b").Value.Start;

        m.MachineCheckAt(staging).ShouldBe(Errno.EFSCORRUPTED);
    }

    [Fact]
    public void DirectoriesSpreadOverAgs_ByTheRotor_AndTheirFilesFollowThem()
    {
        using var m = new XfsMachine();

        var first = m.WriteFile("/d1/f", 4096);
        var second = m.WriteFile("/d2/f", 4096);

        (first.Value >> 19).ShouldBe(0UL, "the first directory goes to AG 0 (agblklog 16 + inopblog 3)");
        (second.Value >> 19).ShouldBe(1UL, "the next to AG 1, and its file with it");
        m.Fs.ReverseMap.LocateMetadata("inodes 1").IsOk.ShouldBeTrue("AG 1 got an inode chunk");
    }

    [Fact]
    public void InodeCache_KeepsMappedInodes_PrunesTheRest_WithTruncateInodePagesFinal()
    {
        using var m = new XfsMachine();
        var a = m.WriteFile("/a", 4096);
        var b = m.WriteFile("/b", 4096);
        var p = m.Spawn(100, "p");
        var vma = m.MapShared(p, "/a");
        m.Touch(p, vma);

        m.Machine.Vfs.DropCaches().ShouldBeGreaterThanOrEqualTo(1);

        m.Fs.Inodes.FindInCore(a).ShouldNotBeNull("mapped, so referenced");
        m.Fs.Inodes.FindInCore(b).ShouldBeNull("unreferenced: evicted");
        m.Mount.SuperBlock.Mappings.Keys.ShouldNotContain(b, "its address_space went with truncate_inode_pages_final");
        Vfs.Open(m.Mount, "/b").IsOk.ShouldBeTrue();
        m.Fs.Inodes.FindInCore(b).ShouldNotBeNull("open brings it back");
    }
}
