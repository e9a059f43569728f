using DaxHolder.Abstractions;

namespace DaxHolder.Plugins.Ext4.Extents;

/// <summary>
/// An inode's extent tree (fs/ext4/extents.c): up to four extents in the inode itself, then a
/// leaf block per 340 extents under an index in the inode, growing in depth when the root's four
/// index slots are full. Blocks for new nodes come from <see cref="IMetaBlockSource"/>.
/// </summary>
internal sealed class ExtentTree
{
    /// <summary>ext4_ext_space_root: (60 - 12) / 12.</summary>
    public const int RootCapacity = 4;

    /// <summary>ext4_ext_space_block: (4096 - 12) / 12.</summary>
    public const int BlockCapacity = 340;

    private ExtentNode root = new(null, 0);

    /// <summary>eh_depth of the root.</summary>
    public int Depth => root.Level;

    /// <summary>Every extent, in file-block order.</summary>
    public IReadOnlyList<Extent> Extents
    {
        get
        {
            var all = new List<Extent>();
            Collect(root, all);
            return all;
        }
    }

    /// <summary>The blocks of the tree's index and leaf nodes, in tree order (depth first, file-block order).</summary>
    public IReadOnlyList<(ulong Block, int Level)> NodeBlocks
    {
        get
        {
            var all = new List<(ulong, int)>();
            CollectBlocks(root, all);
            return all;
        }
    }

    /// <summary>The extent holding file block <paramref name="logical"/>, or null (a hole).</summary>
    public Extent? Find(ulong logical)
    {
        var leaf = FindPath(logical)[^1].Node;
        foreach (var e in leaf.Extents)
        {
            if (e.Logical <= logical && logical < e.End)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>The first file block mapped after <paramref name="logical"/>, or null: where a hole ends (ext4_ext_next_allocated_block).</summary>
    public ulong? NextMappedAfter(ulong logical) => Extents.Where(e => e.Logical > logical).Select(e => (ulong?)e.Logical).FirstOrDefault();

    /// <summary>
    /// ext4_ext_find_goal: where a block for file block <paramref name="logical"/> would continue the
    /// nearest extent (the last one starting at or before it, else the first), or null for an empty tree.
    /// </summary>
    public ulong? GoalFor(ulong logical)
    {
        var leaf = FindPath(logical)[^1].Node;
        if (leaf.Extents.Count == 0)
        {
            return leaf.Block;
        }

        var near = leaf.Extents.LastOrDefault(e => e.Logical <= logical);
        if (near.Length == 0)
        {
            near = leaf.Extents[0];
        }

        if (logical >= near.Logical)
        {
            return near.Physical + (logical - near.Logical);
        }

        return near.Physical > near.Logical - logical ? near.Physical - (near.Logical - logical) : near.Physical;
    }

    /// <summary>
    /// ext4_ext_insert_extent: merge with a neighbour where ext4 would, else insert, splitting a
    /// full leaf (ext4_ext_split) or growing the tree in depth (ext4_ext_grow_indepth) first.
    /// </summary>
    public Errno Insert(Extent extent, IMetaBlockSource blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        while (true)
        {
            var path = FindPath(extent.Logical);
            var leaf = path[^1].Node;
            var at = leaf.Extents.FindIndex(e => e.Logical > extent.Logical);
            at = at < 0 ? leaf.Extents.Count : at;
            if (at > 0 && leaf.Extents[at - 1].CanAppend(extent))
            {
                var merged = leaf.Extents[at - 1] with { Length = leaf.Extents[at - 1].Length + extent.Length };
                leaf.Extents[at - 1] = merged;
                if (at < leaf.Extents.Count && merged.CanAppend(leaf.Extents[at]))
                {
                    leaf.Extents[at - 1] = merged with { Length = merged.Length + leaf.Extents[at].Length };
                    leaf.Extents.RemoveAt(at);
                }

                return Errno.Ok;
            }

            if (at < leaf.Extents.Count && extent.CanAppend(leaf.Extents[at]))
            {
                leaf.Extents[at] = extent with { Length = extent.Length + leaf.Extents[at].Length };
                return Errno.Ok;
            }

            if (!leaf.IsFull)
            {
                leaf.Extents.Insert(at, extent);
                return Errno.Ok;
            }

            var made = CreateNewLeaf(path, extent, blocks);
            if (made != Errno.Ok)
            {
                return made;
            }
        }
    }

    /// <summary>
    /// ext4_ext_remove_space over file blocks [from, to): drops or trims every extent inside (a
    /// hole inside one extent leaves its tail as a new extent, as ext4_force_split_extent_at
    /// does), frees emptied leaf and
    /// index blocks (ext4_ext_rm_idx), and resets the depth when the tree empties. Returns the
    /// freed data runs, in file-block order.
    /// </summary>
    public ErrnoOr<IReadOnlyList<Extent>> Remove(ulong from, ulong to, IMetaBlockSource blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var freed = new List<Extent>();
        var tails = new List<Extent>();
        RemoveFrom(root, from, to, freed, tails);
        Prune(root, blocks);
        if (root.Count == 0)
        {
            root.Level = 0;
        }

        // The part of an extent past a hole punched inside it becomes an extent of its own.
        foreach (var tail in tails)
        {
            var inserted = Insert(tail, blocks);
            if (inserted != Errno.Ok)
            {
                return ErrnoOr<IReadOnlyList<Extent>>.Fail(inserted);
            }
        }

        return ErrnoOr<IReadOnlyList<Extent>>.Ok(freed);
    }

    /// <summary>Replaces one extent by the pieces given (in order, inside its range): an unwritten-to-written conversion or a trim.</summary>
    public Errno Replace(Extent old, IReadOnlyList<Extent> pieces, IMetaBlockSource blocks)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var leaf = FindPath(old.Logical)[^1].Node;
        var at = leaf.Extents.IndexOf(old);
        if (at < 0)
        {
            throw new InvalidOperationException($"ext4 model: extent {old} is not in the tree");
        }

        leaf.Extents.RemoveAt(at);
        foreach (var piece in pieces)
        {
            var inserted = Insert(piece, blocks);
            if (inserted != Errno.Ok)
            {
                return inserted;
            }
        }

        return Errno.Ok;
    }

    private Errno CreateNewLeaf(List<(ExtentNode Node, int Index)> path, Extent extent, IMetaBlockSource blocks)
    {
        // ext4_ext_create_new_leaf: the lowest index node with a free slot takes a new subtree.
        var level = path.Count - 2;
        while (level >= 0 && path[level].Node.IsFull)
        {
            level--;
        }

        return level >= 0 ? Split(path, level, extent, blocks) : GrowInDepth(blocks);
    }

    /// <summary>ext4_ext_grow_indepth: the root's entries move to a new block, and the root indexes it.</summary>
    private Errno GrowInDepth(IMetaBlockSource blocks)
    {
        var goal = root.Level > 0 && root.Children[0].Block is { } first && first > 0 ? first - 1 : blocks.InodeGoal;
        if (blocks.Allocate(goal) is not { } block)
        {
            return Errno.ENOSPC;
        }

        var moved = new ExtentNode(block, root.Level);
        moved.Extents.AddRange(root.Extents);
        moved.Children.AddRange(root.Children);
        root = new ExtentNode(null, root.Level + 1);
        root.Children.Add(moved);
        return Errno.Ok;
    }

    /// <summary>
    /// ext4_ext_split at index level <paramref name="at"/>: the entries after the insertion point
    /// move to a new leaf (and new index blocks down to it), under a new index entry at that level.
    /// </summary>
    private static Errno Split(List<(ExtentNode Node, int Index)> path, int at, Extent extent, IMetaBlockSource blocks)
    {
        var leaf = path[^1].Node;
        var position = Math.Max(leaf.Extents.FindLastIndex(e => e.Logical <= extent.Logical), 0);
        var border = position + 1 < leaf.Extents.Count ? leaf.Extents[position + 1].Logical : extent.Logical;
        var goalExtent = leaf.Extents[position];
        var goal = extent.Logical >= goalExtent.Logical ? goalExtent.PhysicalOf(extent.Logical) : goalExtent.Physical;
        var count = path.Count - 1 - at;
        var newBlocks = new List<ulong>();
        for (var i = 0; i < count; i++)
        {
            if (blocks.Allocate(goal) is not { } b)
            {
                newBlocks.ForEach(blocks.Free);
                return Errno.ENOSPC;
            }

            newBlocks.Add(b);
        }

        // The leaf takes the last block allocated, each index level above it the one before.
        var below = new ExtentNode(newBlocks[^1], 0) { Border = border };
        below.Extents.AddRange(leaf.Extents.Skip(position + 1));
        leaf.Extents.RemoveRange(position + 1, leaf.Extents.Count - position - 1);
        for (var level = path.Count - 2; level > at; level--)
        {
            var node = path[level].Node;
            var index = new ExtentNode(newBlocks[count - 1 - (path.Count - 1 - level)], node.Level) { Border = border };
            index.Children.Add(below);
            index.Children.AddRange(node.Children.Skip(path[level].Index + 1));
            node.Children.RemoveRange(path[level].Index + 1, node.Children.Count - path[level].Index - 1);
            below = index;
        }

        path[at].Node.Children.Insert(path[at].Index + 1, below);
        return Errno.Ok;
    }

    /// <summary>ext4_find_extent: the nodes from the root to the leaf for a file block, with the index taken at each level.</summary>
    private List<(ExtentNode Node, int Index)> FindPath(ulong logical)
    {
        var path = new List<(ExtentNode, int)>();
        var node = root;
        while (node.Level > 0)
        {
            var index = node.Children.FindLastIndex(c => c.Key <= logical);
            index = Math.Max(index, 0);
            path.Add((node, index));
            node = node.Children[index];
        }

        path.Add((node, -1));
        return path;
    }

    private static void RemoveFrom(ExtentNode node, ulong from, ulong to, List<Extent> freed, List<Extent> tails)
    {
        if (node.Level > 0)
        {
            node.Children.ForEach(c => RemoveFrom(c, from, to, freed, tails));
            return;
        }

        for (var i = 0; i < node.Extents.Count; i++)
        {
            var e = node.Extents[i];
            if (e.Clip(from, to) is not { } gone)
            {
                continue;
            }

            freed.Add(gone);
            if (e.Logical < from && e.End > to)
            {
                tails.Add(e.Clip(to, e.End)!.Value);
            }

            var kept = e.Logical < from ? e.Clip(e.Logical, from) : e.End > to ? e.Clip(to, e.End) : null;
            if (kept is { } k)
            {
                node.Extents[i] = k;
            }
            else
            {
                node.Extents.RemoveAt(i--);
            }
        }
    }

    private static void Prune(ExtentNode node, IMetaBlockSource blocks)
    {
        foreach (var child in node.Children.ToList())
        {
            Prune(child, blocks);
            if (child.Count == 0)
            {
                node.Children.Remove(child);
                blocks.Free(child.Block!.Value);
            }
        }
    }

    private static void Collect(ExtentNode node, List<Extent> into)
    {
        into.AddRange(node.Extents);
        node.Children.ForEach(c => Collect(c, into));
    }

    private static void CollectBlocks(ExtentNode node, List<(ulong, int)> into)
    {
        if (node.Block is { } b)
        {
            into.Add((b, node.Level));
        }

        node.Children.ForEach(c => CollectBlocks(c, into));
    }
}

/// <summary>Where an extent tree gets and returns its node blocks (ext4_ext_new_meta_block, ext4_free_blocks).</summary>
internal interface IMetaBlockSource
{
    /// <summary>ext4_inode_to_goal_block of the tree's inode.</summary>
    ulong InodeGoal { get; }

    /// <summary>One block near <paramref name="goal"/>, or null when the filesystem is full.</summary>
    ulong? Allocate(ulong goal);

    /// <summary>Frees a node block.</summary>
    void Free(ulong block);
}
