using DaxHolder.Abstractions;

namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// The static layout mkfs.ext4 computes for a device (e2fsprogs lib/ext2fs/initialize.c:
/// ext2fs_initialize, alloc_tables.c: ext2fs_allocate_group_table with flexbg_offset,
/// res_gdt.c, mkjournal.c): the block groups, the superblock and its sparse_super backups, the
/// group descriptor table and reserved GDT blocks, the bitmaps and inode tables, the root and
/// lost+found directories and the journal (inode 8, contiguous). 4 KiB blocks, 256-byte
/// inodes, 64-byte group descriptors (64bit).
/// </summary>
internal sealed class Ext4Geometry
{
    /// <summary>EXT4 block size: DAX needs PAGE_SIZE.</summary>
    public const ulong BlockSize = PageGeometry.PageSize;

    /// <summary>s_inode_size (mke2fs.conf default).</summary>
    public const ulong InodeSize = 256;

    /// <summary>EXT4_DESC_SIZE with 64bit: 64 bytes, so 64 descriptors per block.</summary>
    public const ulong DescriptorsPerBlock = BlockSize / 64;

    /// <summary>EXT2_GOOD_OLD_FIRST_INO: the first inode not reserved (lost+found).</summary>
    public const uint FirstInode = 11;

    private readonly MetadataRuns metadata = new();

    private Ext4Geometry(MkfsOptions options) => Options = options;

    /// <summary>The mkfs options.</summary>
    public MkfsOptions Options { get; }

    /// <summary>s_blocks_count.</summary>
    public ulong BlocksCount { get; private set; }

    /// <summary>s_blocks_per_group.</summary>
    public ulong BlocksPerGroup => Options.BlocksPerGroup;

    /// <summary>The number of block groups.</summary>
    public uint GroupCount { get; private set; }

    /// <summary>s_inodes_per_group.</summary>
    public uint InodesPerGroup { get; private set; }

    /// <summary>Inode table blocks per group.</summary>
    public ulong InodeTableBlocks { get; private set; }

    /// <summary>Group descriptor blocks.</summary>
    public ulong DescBlocks { get; private set; }

    /// <summary>
    /// Whether the filesystem has a resize inode: asked for (the default), unless the device has
    /// more than 2^32 - 1 blocks, where mke2fs clears resize_inode for a 64bit filesystem
    /// (misc/mke2fs.c: PRS(), "fs_blocks_count > MAX_32_NUM").
    /// </summary>
    public bool HasResizeInode { get; private set; }

    /// <summary>s_reserved_gdt_blocks.</summary>
    public ulong ReservedGdtBlocks { get; private set; }

    /// <summary>The journal's first block.</summary>
    public ulong JournalStart { get; private set; }

    /// <summary>The journal's length in blocks.</summary>
    public ulong JournalBlocks { get; private set; }

    /// <summary>The root directory's block.</summary>
    public ulong RootDirBlock { get; private set; }

    /// <summary>lost+found's first block (4 blocks: mke2fs grows it to 16 KiB).</summary>
    public ulong LostFoundStart { get; private set; }

    /// <summary>Every static metadata extent, in block order (expanded from runs as it is walked).</summary>
    public IEnumerable<MetadataExtent> Metadata => metadata.All;

    /// <summary>The static metadata extents overlapping blocks [from, to), in block order.</summary>
    public IEnumerable<MetadataExtent> MetadataIn(ulong from, ulong to) => metadata.In(from, to);

    /// <summary>The extent of <paramref name="kind"/> describing <paramref name="group"/> (for a backup: sitting in it), or null.</summary>
    public MetadataExtent? FindMetadata(string kind, uint group) => metadata.Find(kind, group);

    /// <summary>Group <paramref name="group"/> as dumpe2fs prints it, from the laid-out metadata (nothing is kept per group).</summary>
    public GroupLayout Group(uint group)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(group, GroupCount);
        return new GroupLayout(group, FirstBlockOf(group), GroupBlocks(group), HasSuperBlock(group),
            metadata.Find("block bitmap", group)!.Start, metadata.Find("inode bitmap", group)!.Start, metadata.Find("inode table", group)!.Start);
    }

    /// <summary>The blocks of a group (the last may be short).</summary>
    public ulong GroupBlocks(uint group) => Math.Min(FirstBlockOf(group) + BlocksPerGroup, BlocksCount) - FirstBlockOf(group);

    /// <summary>The group holding a block.</summary>
    public uint GroupOf(ulong block) => (uint)(block / BlocksPerGroup);

    /// <summary>ext4_group_first_block_no.</summary>
    public ulong FirstBlockOf(uint group) => group * BlocksPerGroup;

    /// <summary>ext4_bg_has_super: group 0, and with sparse_super only groups 1 and powers of 3, 5 and 7.</summary>
    public bool HasSuperBlock(uint group) =>
        group == 0 || !Options.SparseSuper || group == 1 || IsPowerOf(group, 3) || IsPowerOf(group, 5) || IsPowerOf(group, 7);

    /// <summary>mke2fs: the layout for a device of <paramref name="deviceBlocks"/> blocks, with the block bitmap of every block it uses.</summary>
    public static ErrnoOr<(Ext4Geometry Geometry, BlockBitmap Bitmap)> Compute(ulong deviceBlocks, MkfsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (deviceBlocks < 4096)
        {
            return ErrnoOr<(Ext4Geometry, BlockBitmap)>.Fail(Errno.EINVAL, $"ext4: the device has {deviceBlocks} blocks; the model needs at least 4096 (16 MiB)");
        }

        var g = new Ext4Geometry(options);
        g.SizeGroups(deviceBlocks);
        var bitmap = new BlockBitmap(g.BlocksCount);
        g.LayGroups(bitmap);
        g.LayDirectories(bitmap);
        var journal = g.LayJournal(bitmap);
        if (journal is not null)
        {
            return ErrnoOr<(Ext4Geometry, BlockBitmap)>.Fail(Errno.ENOSPC, journal);
        }

        return ErrnoOr<(Ext4Geometry, BlockBitmap)>.Ok((g, bitmap));
    }

    /// <summary>ext2fs_initialize: group count (dropping a last group too small for its own overhead), inodes per group filling whole inode-table blocks, descriptor and reserved GDT blocks.</summary>
    private void SizeGroups(ulong deviceBlocks)
    {
        BlocksCount = deviceBlocks;
        HasResizeInode = Options.ResizeInode && deviceBlocks <= uint.MaxValue;
        var inodesCount = BlocksCount * BlockSize / InodeRatio(deviceBlocks);
        while (true)
        {
            GroupCount = (uint)((BlocksCount + BlocksPerGroup - 1) / BlocksPerGroup);
            var ipg = (inodesCount + GroupCount - 1) / GroupCount;
            ipg = Math.Min(Math.Max(ipg, 16), 8 * BlockSize);
            InodeTableBlocks = ((ipg * InodeSize) + BlockSize - 1) / BlockSize;
            InodesPerGroup = (uint)(InodeTableBlocks * BlockSize / InodeSize) & ~7u;
            InodeTableBlocks = ((InodesPerGroup * InodeSize) + BlockSize - 1) / BlockSize;
            DescBlocks = (GroupCount + DescriptorsPerBlock - 1) / DescriptorsPerBlock;
            ReservedGdtBlocks = HasResizeInode ? CalcReservedGdtBlocks() : 0;

            // The last group must hold its own overhead plus 50 blocks, or mke2fs drops it.
            var last = BlocksCount - ((GroupCount - 1) * BlocksPerGroup);
            var overhead = 3 + InodeTableBlocks + (HasSuperBlock(GroupCount - 1) ? 1 + DescBlocks + ReservedGdtBlocks : 0);
            if (GroupCount == 1 || last >= overhead + 50)
            {
                return;
            }

            BlocksCount -= last;
        }
    }

    /// <summary>
    /// The bytes per inode: as asked, else by the usage type mke2fs picks from the size
    /// (misc/mke2fs.c: parse_fs_type(); Debian's /etc/mke2fs.conf): "default" 16384 below 4 TiB,
    /// "big" 32768 below 16 TiB, "huge" 65536 from there. (mke2fs's "small" type, 4096 below
    /// 512 MiB, is not applied: the model keeps 16384 there.)
    /// </summary>
    private uint InodeRatio(ulong deviceBlocks)
    {
        const ulong tebibyte = (1UL << 40) / BlockSize;
        return Options.InodeRatioGiven ? Options.InodeRatio
            : deviceBlocks < 4 * tebibyte ? Options.InodeRatio
            : deviceBlocks < 16 * tebibyte ? 32768u
            : 65536u;
    }

    /// <summary>initialize.c: calc_reserved_gdt_blocks: room for growth to 1024 × the size (or the 32-bit limit), at most one block of pointers.</summary>
    private ulong CalcReservedGdtBlocks()
    {
        var maxBlocks = BlocksCount < 0xffffffffUL / 1024 ? BlocksCount * 1024 : 0xffffffffUL;
        var rsvGroups = (maxBlocks + BlocksPerGroup - 1) / BlocksPerGroup;
        var rsvGdb = ((rsvGroups + DescriptorsPerBlock - 1) / DescriptorsPerBlock) - DescBlocks;
        return Math.Min(rsvGdb, BlockSize / 4);
    }

    /// <summary>The superblock copies, then each group's tables (alloc_tables.c: ext2fs_allocate_group_table and flexbg_offset).</summary>
    private void LayGroups(BlockBitmap bitmap)
    {
        for (uint g = 0; g < GroupCount; g++)
        {
            if (!HasSuperBlock(g))
            {
                continue;
            }

            var first = FirstBlockOf(g);
            Mark(bitmap, first, 1, "superblock", g);
            Mark(bitmap, first + 1, DescBlocks, "gdt", g);
            if (ReservedGdtBlocks > 0)
            {
                Mark(bitmap, first + 1 + DescBlocks, ReservedGdtBlocks, "reserved gdt", g);
            }
        }

        var flexSize = Options.FlexBg ? Options.FlexBgSize : 1u;
        ulong tableOffset = flexSize;
        (ulong BlockBitmap, ulong InodeBitmap, ulong InodeTable) previous = default;
        for (uint g = 0; g < GroupCount; g++)
        {
            var groupEnd = Math.Min(FirstBlockOf(g) + BlocksPerGroup, BlocksCount);
            ulong bb, ib, it;
            if (!Options.FlexBg)
            {
                bb = bitmap.FindRun(FirstBlockOf(g), groupEnd, 1)!.Value;
                ib = bitmap.FindRun(bb + 1, groupEnd, 1)!.Value;
                it = bitmap.FindRun(ib + 1, groupEnd, InodeTableBlocks) ?? throw new InvalidOperationException($"ext4 model: group {g} cannot hold its inode table");
            }
            else
            {
                var lastGroup = Math.Min(g | (flexSize - 1), GroupCount - 1);
                var remaining = lastGroup - g + 1;
                if (g % flexSize == 0)
                {
                    // The last flex group keeps its tables contiguous (table_offset shrinks to fit).
                    tableOffset = flexSize;
                    if (lastGroup == GroupCount - 1)
                    {
                        var within = lastGroup & (flexSize - 1);
                        tableOffset = within == 0 ? flexSize : within + 1;
                    }

                    bb = FlexbgOffset(bitmap, g, null, remaining, 1);
                    ib = FlexbgOffset(bitmap, g, bb + tableOffset, remaining, 1);
                    it = FlexbgOffset(bitmap, g, ib + tableOffset, remaining, InodeTableBlocks);
                }
                else
                {
                    bb = FlexbgOffset(bitmap, g, previous.BlockBitmap + 1, remaining, 1);
                    ib = FlexbgOffset(bitmap, g, previous.InodeBitmap + 1, remaining, 1);
                    it = FlexbgOffset(bitmap, g, previous.InodeTable + InodeTableBlocks, remaining, InodeTableBlocks);
                }
            }

            Mark(bitmap, bb, 1, "block bitmap", g);
            Mark(bitmap, ib, 1, "inode bitmap", g);
            Mark(bitmap, it, InodeTableBlocks, "inode table", g);
            previous = (bb, ib, it);
        }
    }

    /// <summary>alloc_tables.c: flexbg_offset: the previous table's successor if free, else the first free run in the flex group.</summary>
    private ulong FlexbgOffset(BlockBitmap bitmap, uint group, ulong? start, ulong remaining, ulong elementSize)
    {
        var flexSize = Options.FlexBgSize;
        var size = Math.Min(remaining * elementSize, BlocksPerGroup / 4);
        if (start is { } s && s < BlocksCount && bitmap.FindRun(s, Math.Min(s + size, BlocksCount), elementSize) is { } near)
        {
            return near;
        }

        var flexFirst = FirstBlockOf(group / flexSize * flexSize);
        var lastGroup = Math.Min(group | (flexSize - 1), GroupCount - 1);
        var lastBlock = Math.Min(FirstBlockOf(lastGroup) + BlocksPerGroup, BlocksCount);
        return bitmap.FindRun(flexFirst, lastBlock, Math.Max(size, elementSize))
            ?? bitmap.FindRun(flexFirst, BlocksCount, elementSize)
            ?? throw new InvalidOperationException($"ext4 model: no room for group {group}'s tables");
    }

    /// <summary>mke2fs: create_root_dir and create_lost_and_found (grown to 16 KiB), then the resize inode's double-indirect block, each from the first free block of the inode's (flex) group.</summary>
    private void LayDirectories(BlockBitmap bitmap)
    {
        RootDirBlock = bitmap.FindRun(0, BlocksCount, 1)!.Value;
        Mark(bitmap, RootDirBlock, 1, "directory", 0);
        LostFoundStart = bitmap.FindRun(RootDirBlock, BlocksCount, 4)!.Value;
        Mark(bitmap, LostFoundStart, 4, "directory", 0);
        if (HasResizeInode)
        {
            var dind = bitmap.FindRun(LostFoundStart, BlocksCount, 1)!.Value;
            Mark(bitmap, dind, 1, "resize inode", 0);
        }
    }

    /// <summary>mkjournal.c: ext2fs_default_journal_size and get_midpoint_journal_block, then one contiguous run (inode 8).</summary>
    private string? LayJournal(BlockBitmap bitmap)
    {
        JournalBlocks = Options.JournalBlocks ?? DefaultJournalBlocks(BlocksCount);
        var group = GroupOf(BlocksCount / 2);
        var flexSize = Options.FlexBg ? Options.FlexBgSize : 1u;
        uint start;
        if (Options.FlexBg && group > flexSize)
        {
            group &= ~(flexSize - 1);
            while (group < GroupCount && bitmap.CountFree(FirstBlockOf(group), GroupBlocks(group)) == 0)
            {
                group++;
            }

            group = group == GroupCount ? 0 : group;
            start = group;
        }
        else
        {
            start = group > 0 ? group - 1 : group;
        }

        var end = group + 1 < GroupCount ? group + 1 : group;
        var best = start;
        for (var g = start + 1; g <= end; g++)
        {
            if (bitmap.CountFree(FirstBlockOf(g), GroupBlocks(g)) > bitmap.CountFree(FirstBlockOf(best), GroupBlocks(best)))
            {
                best = g;
            }
        }

        var found = bitmap.FindRun(FirstBlockOf(best), BlocksCount, JournalBlocks) ?? bitmap.FindRun(0, BlocksCount, JournalBlocks);
        if (found is not { } first)
        {
            return $"ext4: no contiguous run of {JournalBlocks} blocks for the journal";
        }

        JournalStart = first;
        Mark(bitmap, first, JournalBlocks, "journal", GroupOf(first));
        return null;
    }

    /// <summary>mkjournal.c: ext2fs_default_journal_size, in blocks.</summary>
    private static ulong DefaultJournalBlocks(ulong blocks) => blocks switch
    {
        < 32768 => 1024,
        < 256 * 1024 => 4096,
        < 512 * 1024 => 8192,
        < 4096 * 1024 => 16384,
        < 8192 * 1024 => 32768,
        < 16384 * 1024 => 65536,
        < 32768 * 1024 => 131072,
        _ => 262144,
    };

    private void Mark(BlockBitmap bitmap, ulong start, ulong count, string kind, uint group)
    {
        bitmap.Take(start, count);
        metadata.Add(start, count, kind, group);
    }

    private static bool IsPowerOf(uint value, uint root)
    {
        var n = root;
        while (n < value)
        {
            n *= root;
        }

        return n == value;
    }
}
