using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Contract;

/// <summary>
/// The inode cache every filesystem plugin may use (Abstractions' InodeCache): fs/inode.c's iget,
/// iput, prune_icache_sb and evict, on a real machine's kernel services.
/// </summary>
public sealed class InodeCacheTests : IDisposable
{
    private readonly TestMachine machine = new();
    private readonly DaxHolder.Kernel.KernelServices kernel;
    private readonly List<ulong> evicted = [];
    private readonly InodeCache<Inode> cache;
    private int reads;

    public InodeCacheTests()
    {
        kernel = TestMachine.ServicesFor(machine.Machine, "cachefs");
        cache = new InodeCache<Inode>(kernel, Read, i => evicted.Add(i.Number.Value), i => i.Unlinked);
    }

    [Fact]
    public void Iget_ReadsOnce_TakesAReference_AndKeepsTheInodeAfterItsLastIput()
    {
        var first = cache.Iget(new InodeNumber(7)).Value;
        var again = cache.Iget(new InodeNumber(7)).Value;

        again.ShouldBeSameAs(first);
        reads.ShouldBe(1, "the second iget finds it in core");
        first.ReferenceCount.ShouldBe(2);
        cache.Iput(first);
        cache.Iput(first);
        cache.FindInCore(new InodeNumber(7)).ShouldBeSameAs(first, "recently used: in core until pruned");
        evicted.ShouldBeEmpty();
    }

    [Fact]
    public void Iget_OfAnInodeTheFilesystemRefuses_IsItsErrno_AndCachesNothing()
    {
        var refused = cache.Iget(new InodeNumber(1));

        refused.Error.ShouldBe(Errno.ENOENT);
        cache.InCore.ShouldBeEmpty();
    }

    /// <summary>prune_icache_sb (drop_caches 2): only unreferenced inodes go, each through truncate_inode_pages_final then the filesystem's evict.</summary>
    [Fact]
    public void PruneUnreferenced_EvictsOnlyUnreferencedInodes_InInodeOrder()
    {
        var held = cache.Iget(new InodeNumber(9)).Value;
        cache.Grab(new InodeNumber(8)).IsOk.ShouldBeTrue();
        cache.Grab(new InodeNumber(5)).IsOk.ShouldBeTrue();

        cache.PruneUnreferenced().ShouldBe(2);

        evicted.ShouldBe([5UL, 8UL]);
        cache.InCore.ShouldBe([held]);
        cache.AnyReferenced.ShouldBeTrue();
    }

    /// <summary>iput_final with generic_drop_inode: the last reference to an unlinked inode evicts it at once.</summary>
    [Fact]
    public void LastIput_OfAnUnlinkedInode_EvictsIt()
    {
        var inode = (Inode)cache.Iget(new InodeNumber(6)).Value;
        inode.Unlinked = true;

        cache.Iput(inode);

        evicted.ShouldBe([6UL]);
        cache.FindInCore(new InodeNumber(6)).ShouldBeNull();
    }

    [Fact]
    public void Iput_WithoutAReference_IsRefused()
    {
        cache.Grab(new InodeNumber(4)).IsOk.ShouldBeTrue();

        Should.Throw<InvalidOperationException>(() => cache.Iput(cache.Find(new InodeNumber(4))!));
    }

    public void Dispose() => machine.Dispose();

    private ErrnoOr<Inode> Read(InodeNumber ino)
    {
        if (ino.Value < 4)
        {
            return ErrnoOr<Inode>.Fail(Errno.ENOENT, "not in use");
        }

        reads++;
        return ErrnoOr<Inode>.Ok(new Inode(ino, kernel.InitInodeMapping(machine.Mount.SuperBlock, ino, dax: true)));
    }

    private sealed class Inode(InodeNumber number, IAddressSpace mapping) : CachedInode(mapping)
    {
        public override InodeNumber Number => number;

        public override ByteLength Size => ByteLength.Page;

        public bool Unlinked { get; set; }
    }
}
