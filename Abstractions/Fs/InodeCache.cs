using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Abstractions.Fs;

/// <summary>
/// An in-core inode as <see cref="InodeCache{TInode}"/> keeps it: the VFS inode with its i_count.
/// A filesystem plugin derives its own inode from it and adds what it caches (its on-media inode).
/// </summary>
/// <param name="mapping">i_mapping, from <see cref="IKernelServices.InitInodeMapping"/>; IsDax is S_DAX.</param>
public abstract class CachedInode(IAddressSpace mapping) : IInode
{
    /// <inheritdoc/>
    public abstract InodeNumber Number { get; }

    /// <inheritdoc/>
    public abstract ByteLength Size { get; }

    /// <inheritdoc/>
    public IAddressSpace Mapping { get; } = mapping ?? throw new ArgumentNullException(nameof(mapping));

    /// <inheritdoc/>
    public int ReferenceCount => References;

    /// <summary>
    /// i_count: references held by open files and mappings (<see cref="InodeCache{TInode}.Iget"/>,
    /// <see cref="InodeCache{TInode}.Iput"/>). A filesystem may also hold one around an operation of its own.
    /// </summary>
    public int References { get; set; }

    /// <summary>
    /// I_DONTCACHE (fs/dcache.c: d_mark_dontcache()): the last iput evicts the inode at once, so it
    /// is read again (and its S_DAX decided again) the next time it is asked for. Set when
    /// FS_XFLAG_DAX changes under dax=inode.
    /// </summary>
    public bool DontCache { get; set; }
}

/// <summary>
/// One super block's inode cache (fs/inode.c: the icache as iget, iput and prune_icache_sb use it),
/// for a filesystem plugin to use as its <see cref="IInodeCache"/>: an inode comes into core when it
/// is first asked for (the plugin's <c>read</c>, which also decides S_DAX), stays while referenced and
/// after its last iput until pruned or unmounted, and is evicted with
/// <see cref="IKernelServices.TruncateInodePagesFinal"/> (every DAX entry deleted) before the plugin's
/// <c>evicted</c> hook runs (freeing an unlinked inode's blocks, cancelling CoW staging). Inodes are
/// kept and listed in inode-number order, so everything built on it is deterministic.
/// </summary>
/// <typeparam name="TInode">The plugin's inode type.</typeparam>
public sealed class InodeCache<TInode> : IInodeCache
    where TInode : CachedInode
{
    // Hashed: a lookup (every rmap record a failure walks asks for its owner) costs O(1); the
    // rare walks over every inode sort them by number (Ordered).
    private readonly Dictionary<ulong, TInode> inCore = [];
    private readonly IKernelServices kernel;
    private readonly Func<InodeNumber, ErrnoOr<TInode>> read;
    private readonly Action<TInode>? evicted;
    private readonly Func<TInode, bool>? dropOnLastPut;

    /// <summary>A cache that reads inodes with <paramref name="read"/>.</summary>
    /// <param name="kernel">The kernel's services (eviction truncates the inode's DAX entries).</param>
    /// <param name="read">The filesystem's iget: the inode read from the media with its mapping, or the errno (-ENOENT for a free inode, -EISDIR where only files are cached).</param>
    /// <param name="evicted">What the filesystem does after an inode left core (evict_inode: an unlinked inode loses its blocks).</param>
    /// <param name="dropOnLastPut">Whether the last iput evicts the inode at once (generic_drop_inode: an unlinked inode).</param>
    public InodeCache(IKernelServices kernel, Func<InodeNumber, ErrnoOr<TInode>> read, Action<TInode>? evicted = null, Func<TInode, bool>? dropOnLastPut = null)
    {
        this.kernel = kernel ?? throw new ArgumentNullException(nameof(kernel));
        this.read = read ?? throw new ArgumentNullException(nameof(read));
        this.evicted = evicted;
        this.dropOnLastPut = dropOnLastPut;
    }

    /// <inheritdoc/>
    public IReadOnlyList<IInode> InCore => [.. Ordered()];

    /// <summary>The in-core inodes, typed, in inode-number order.</summary>
    public IReadOnlyCollection<TInode> Cached => Ordered();

    /// <summary>Whether any in-core inode is referenced (unmount refuses: -EBUSY).</summary>
    public bool AnyReferenced => inCore.Values.Any(i => i.References > 0);

    /// <inheritdoc/>
    public ErrnoOr<IInode> Iget(InodeNumber inode)
    {
        var held = Grab(inode);
        if (!held.IsOk)
        {
            return ErrnoOr<IInode>.Fail(held.Error, held.Message);
        }

        held.Value.References++;
        return ErrnoOr<IInode>.Ok(held.Value);
    }

    /// <summary>The inode in core, read if needed, without taking a reference (a filesystem's transient use).</summary>
    public ErrnoOr<TInode> Grab(InodeNumber inode)
    {
        if (inCore.TryGetValue(inode.Value, out var held))
        {
            return ErrnoOr<TInode>.Ok(held);
        }

        var loaded = read(inode);
        if (loaded.IsOk)
        {
            inCore[inode.Value] = loaded.Value;
        }

        return loaded;
    }

    /// <inheritdoc/>
    public void Iput(IInode inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        if (!inCore.TryGetValue(inode.Number.Value, out var held) || held.References == 0)
        {
            throw new InvalidOperationException($"iput of inode {inode.Number} without a reference");
        }

        if (--held.References == 0 && (held.DontCache || (dropOnLastPut?.Invoke(held) ?? false)))
        {
            Evict(held);
        }
    }

    /// <summary>
    /// d_mark_dontcache() on an inode whose FS_XFLAG_DAX changed: an in-core inode is evicted at its
    /// last iput (at once when unreferenced, as the chattr's own close would); one not in core has
    /// nothing to do, since its next read decides S_DAX afresh.
    /// </summary>
    public void MarkDontCache(InodeNumber inode)
    {
        if (inCore.TryGetValue(inode.Value, out var held))
        {
            held.DontCache = true;
            if (held.References == 0)
            {
                Evict(held);
            }
        }
    }

    /// <inheritdoc/>
    public IInode? FindInCore(InodeNumber inode) => Find(inode);

    /// <summary>The in-core inode, typed, or null; takes no reference.</summary>
    public TInode? Find(InodeNumber inode) => inCore.GetValueOrDefault(inode.Value);

    /// <inheritdoc/>
    public int PruneUnreferenced()
    {
        var victims = Ordered().Where(i => i.References == 0).ToList();
        victims.ForEach(Evict);
        return victims.Count;
    }

    /// <summary>evict(): truncate_inode_pages_final(), out of the cache, then the filesystem's own eviction.</summary>
    public void Evict(TInode inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        kernel.TruncateInodePagesFinal(inode.Mapping);
        inCore.Remove(inode.Number.Value);
        evicted?.Invoke(inode);
    }

    /// <summary>Unmount (evict_inodes): every inode goes, in inode-number order.</summary>
    public void EvictAll()
    {
        foreach (var inode in Ordered())
        {
            Evict(inode);
        }
    }

    /// <summary>
    /// The in-core inodes in inode-number order (a copy: eviction may follow). The numbers alone
    /// are sorted (the runtime's precompiled sort of a ulong[]) and each inode looked up again:
    /// sorting them with their inodes as pairs needs a sort compiled for this cache's inode type at
    /// the first walk, which a device removal then runs unoptimized over every in-core inode.
    /// </summary>
    private TInode[] Ordered()
    {
        var numbers = new ulong[inCore.Count];
        inCore.Keys.CopyTo(numbers, 0);
        Array.Sort(numbers);
        var inodes = new TInode[numbers.Length];
        for (var i = 0; i < numbers.Length; i++)
        {
            inodes[i] = inCore[numbers[i]];
        }

        return inodes;
    }
}
