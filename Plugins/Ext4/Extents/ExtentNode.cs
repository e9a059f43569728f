namespace DaxHolder.Plugins.Ext4.Extents;

/// <summary>
/// One node of an extent tree: the root in the inode's i_block (no block of its own), or an
/// index or leaf block. A leaf holds struct ext4_extent entries, an index struct ext4_extent_idx
/// entries (here: the child nodes, each keyed by the first file block it covers, ei_block).
/// </summary>
internal sealed class ExtentNode
{
    public ExtentNode(ulong? block, int level)
    {
        Block = block;
        Level = level;
    }

    /// <summary>The block holding the node, or null for the root in the inode.</summary>
    public ulong? Block { get; }

    /// <summary>eh_depth: 0 for a leaf.</summary>
    public int Level { get; set; }

    /// <summary>Leaf entries, in file-block order.</summary>
    public List<Extent> Extents { get; } = [];

    /// <summary>Index entries, in file-block order.</summary>
    public List<ExtentNode> Children { get; } = [];

    /// <summary>eh_entries.</summary>
    public int Count => Level == 0 ? Extents.Count : Children.Count;

    /// <summary>ei_block as the parent sees it: the first file block under this node.</summary>
    public ulong Key => Count == 0 ? Border : Level == 0 ? Extents[0].Logical : Children[0].Key;

    /// <summary>The ei_block ext4_ext_split gave a new node (what <see cref="Key"/> is while the node is empty).</summary>
    public ulong Border { get; init; }

    /// <summary>eh_max: ext4_ext_space_root (4 in the inode) or ext4_ext_space_block (340 in a 4 KiB block).</summary>
    public int Capacity => Block is null ? ExtentTree.RootCapacity : ExtentTree.BlockCapacity;

    /// <summary>Whether the node has no free entry.</summary>
    public bool IsFull => Count >= Capacity;
}
