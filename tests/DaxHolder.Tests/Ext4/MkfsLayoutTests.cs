using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs;
using DaxHolder.Tests.Ext4.Support;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>mkfs.ext4's static layout (e2fsprogs ext2fs_initialize, ext2fs_allocate_group_table, mkjournal) on the 1 GiB namespace Debian's kernels were observed on under QEMU.</summary>
public sealed class MkfsLayoutTests
{
    private const ulong Block = 4096;

    /// <summary>1022 MiB of data: 8 groups, 8176 inodes per group (511 table blocks), 127 reserved GDT blocks, and under flex_bg the tables of all 8 groups packed into group 0 (the last flex group keeps them contiguous).</summary>
    [Theory]
    [InlineData("sb", 0UL, 1UL)]
    [InlineData("gdt 0", 1UL, 1UL)]
    [InlineData("reserved-gdt 0", 2UL, 127UL)]
    [InlineData("block-bitmap 0", 129UL, 1UL)]
    [InlineData("block-bitmap 7", 136UL, 1UL)]
    [InlineData("inode-bitmap 0", 137UL, 1UL)]
    [InlineData("inode-bitmap 1", 138UL, 1UL)]
    [InlineData("inode-table 0", 145UL, 511UL)]
    [InlineData("inode-table 1", 656UL, 511UL)]
    [InlineData("root-dir", 4233UL, 1UL)]
    [InlineData("lost+found", 4234UL, 4UL)]
    [InlineData("sb 1", 32768UL, 1UL)]
    [InlineData("gdt 3", 98305UL, 1UL)]
    [InlineData("journal", 65536UL, 4096UL)]
    public void DefaultMkfs_PlacesMetadataAsMke2fs(string name, ulong block, ulong blocks)
    {
        using var m = new Ext4Machine();

        var extent = m.Metadata(name);

        extent.Start.Value.ShouldBe(block * Block, $"{name} should start at block {block}");
        extent.Length.Value.ShouldBe(blocks * Block);
    }

    /// <summary>sparse_super: backups only in groups 0, 1 and powers of 3, 5, 7; without it in every group.</summary>
    [Fact]
    public void SparseSuper_KeepsBackupsInGroups_1_3_5_7_Only()
    {
        using var sparse = new Ext4Machine();
        using var dense = new Ext4Machine(mkfs: "sparse_super=0");

        foreach (var g in new[] { 1, 3, 5, 7 })
        {
            sparse.Fs.ReverseMap.LocateMetadata($"sb {g}").IsOk.ShouldBeTrue($"group {g} carries a backup");
        }

        var none = sparse.Fs.ReverseMap.LocateMetadata("sb 2");
        none.Error.ShouldBe(Errno.ENOENT);
        none.Message!.ShouldContain("groups with a superblock: 0,1,3,5,7");
        dense.Fs.ReverseMap.LocateMetadata("sb 2").IsOk.ShouldBeTrue("without sparse_super every group has a backup");
    }

    /// <summary>flex_bg=0: each group's bitmaps and inode table sit in the group, after its superblock backup.</summary>
    [Fact]
    public void NoFlexBg_PutsEachGroupsTablesInTheGroup()
    {
        using var m = new Ext4Machine(mkfs: "flex_bg=0");

        m.Metadata("block-bitmap 0").Start.Value.ShouldBe(129 * Block);
        m.Metadata("inode-bitmap 0").Start.Value.ShouldBe(130 * Block);
        m.Metadata("inode-table 0").Start.Value.ShouldBe(131 * Block);
        m.Metadata("block-bitmap 1").Start.Value.ShouldBe((32768 + 129) * Block, "group 1 has a backup superblock, GDT and 127 reserved GDT blocks first");
        m.Metadata("block-bitmap 2").Start.Value.ShouldBe(65536 * Block, "group 2 has no backup");
    }

    /// <summary>blocks_per_group=8192: 32 groups, so two flex groups, and the second's tables start its first group.</summary>
    [Fact]
    public void SmallerGroups_StartTheSecondFlexGroupsTablesInItsFirstGroup()
    {
        using var m = new Ext4Machine(mkfs: "blocks_per_group=8192");

        m.Metadata("block-bitmap 16").Start.Value.ShouldBe(16UL * 8192 * Block, "group 16 has no backup, so its flex group's tables start at its first block");
        m.Metadata("inode-bitmap 16").Start.Value.ShouldBe(((16UL * 8192) + 16) * Block, "flexbg_offset leaves room for 16 block bitmaps");
    }

    /// <summary>The whole rmap of a fresh filesystem: every static record in device order (free space has none).</summary>
    [Fact]
    public void FreshFilesystem_RmapHoldsOnlyTheStaticLayout()
    {
        using var m = new Ext4Machine();

        var records = m.Fs.ReverseMap.Query(new DeviceExtent(DeviceOffset.Zero, m.Pmem.Disk.Size));

        string.Join("\n", records.Select(r => $"{r.Extent.Start.Value / Block}+{r.Extent.Length.Value / Block} {r.Owner}")).ShouldMatchApprovedText();
    }

    /// <summary>
    /// kill_dax's whole-device range (offset 0, length U64_MAX) lists the same records as
    /// the device's own extent: rounding the end up to a block must not overflow.
    /// </summary>
    [Fact]
    public void Query_OverTheWholeDeviceRange_ListsEveryRecord()
    {
        using var m = new Ext4Machine();

        var device = m.Fs.ReverseMap.Query(new DeviceExtent(DeviceOffset.Zero, m.Pmem.Disk.Size));
        var whole = m.Fs.ReverseMap.Query(new DeviceExtent(DeviceOffset.Zero, new ByteLength(ulong.MaxValue)));

        whole.ShouldBe(device);
        whole.ShouldNotBeEmpty();
    }

    /// <summary>Bad mkfs input: -EINVAL naming the option (design: bad input).</summary>
    [Theory]
    [InlineData("reflink=1", "'reflink'")]
    [InlineData("rmapbt=1", "'rmapbt'")]
    [InlineData("flex_bg=maybe", "'flex_bg'")]
    [InlineData("flex_bg_size=3", "'flex_bg_size'")]
    [InlineData("blocks_per_group=100", "'blocks_per_group'")]
    [InlineData("flex_bg=0,flex_bg_size=8", "contradict")]
    [InlineData("journal_blocks=10", "'journal_blocks'")]
    [InlineData("uuid=nope", "'uuid'")]
    public void BadMkfsOption_IsEinval_NamingIt(string options, string named)
    {
        using var m = new TestMachineWithoutFs();

        var result = Vfs.Mkfs(Ext4Machine.Type, m.Disk, FsOptions.Parse(options));

        result.Error.ShouldBe(Errno.EINVAL);
        result.Message.ShouldNotBeNull().ShouldContain(named);
    }

    /// <summary>No reflink on ext4: a clone request is not a mkfs option but fails at FICLONE with -EOPNOTSUPP, as the kernel's vfs_clone_file_range does without -&gt;remap_file_range.</summary>
    [Fact]
    public void Clone_IsEopnotsupp()
    {
        using var m = new Ext4Machine();
        var a = m.CreateFile("/a", 1);
        var b = m.Files.Create("/b", FileCreateOptions.Default).Value;

        m.Files.Clone(a, b).ShouldBe(Errno.EOPNOTSUPP);
        m.Files.CloneRange(a, FileOffset.Zero, b, FileOffset.Zero, ByteLength.Page).ShouldBe(Errno.EOPNOTSUPP);
    }
}
