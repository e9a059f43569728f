namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>One block group as dumpe2fs prints it: where it starts, whether it carries a superblock (primary or backup), and where its bitmaps and inode table are.</summary>
/// <param name="Group">The group number.</param>
/// <param name="FirstBlock">Its first block.</param>
/// <param name="BlockCount">Its length (the last group may be shorter).</param>
/// <param name="HasSuperBlock">Whether it holds the primary superblock or a backup with a GDT copy and the reserved GDT blocks.</param>
/// <param name="BlockBitmap">Its block bitmap (elsewhere under flex_bg).</param>
/// <param name="InodeBitmap">Its inode bitmap.</param>
/// <param name="InodeTable">The first block of its inode table.</param>
internal sealed record GroupLayout(uint Group, ulong FirstBlock, ulong BlockCount, bool HasSuperBlock, ulong BlockBitmap, ulong InodeBitmap, ulong InodeTable);

/// <summary>A static piece of metadata mkfs laid down: its blocks, its kind, the group it belongs to.</summary>
/// <param name="Start">The first block.</param>
/// <param name="Count">How many blocks.</param>
/// <param name="Kind">"superblock", "gdt", "reserved gdt", "block bitmap", "inode bitmap", "inode table", "journal", "directory" or "resize inode".</param>
/// <param name="Group">The group it describes (for a backup: the group it sits in).</param>
internal sealed record MetadataExtent(ulong Start, ulong Count, string Kind, uint Group)
{
    /// <summary>The first block past it.</summary>
    public ulong End => Start + Count;
}
