using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Mm;

/// <summary>
/// mm/interval_tree.c: a file's i_mmap, the VMAs mapping it, indexed by the pgoff range each
/// maps. vma_interval_tree_foreach() visits overlapping VMAs in order of their first pgoff; VMAs
/// with the same first pgoff in insertion order (an rbtree inserts equal keys to the right).
/// </summary>
internal sealed class IMmapTree
{
    private readonly List<(VmArea Vma, long Sequence)> vmas = [];
    private long sequence;

    public int Count => vmas.Count;

    public IEnumerable<VmArea> All => vmas.Select(v => v.Vma);

    /// <summary>vma_interval_tree_insert().</summary>
    public void Insert(VmArea vma)
    {
        ArgumentNullException.ThrowIfNull(vma);
        var entry = (vma, sequence++);
        var at = vmas.FindIndex(v => v.Vma.Pgoff > vma.Pgoff);
        vmas.Insert(at < 0 ? vmas.Count : at, entry);
    }

    /// <summary>vma_interval_tree_remove().</summary>
    public void Remove(VmArea vma) => vmas.RemoveAll(v => ReferenceEquals(v.Vma, vma));

    /// <summary>vma_interval_tree_foreach(vma, root, first, last): every VMA mapping a page of [first, last].</summary>
    /// <remarks>A struct enumeration: collect and unmap ask it for every page, so it allocates nothing.</remarks>
    public QueryResult Query(PageIndex first, PageIndex last) => new(vmas, first, last);

    /// <summary>The VMAs of one <see cref="Query"/>, visited with foreach.</summary>
    internal readonly struct QueryResult(List<(VmArea Vma, long Sequence)> vmas, PageIndex first, PageIndex last)
    {
        public Enumerator GetEnumerator() => new(vmas, first, last);

        /// <summary>The walk: VMAs in pgoff order, stopping at the first that starts after <c>last</c>.</summary>
        internal struct Enumerator(List<(VmArea Vma, long Sequence)> vmas, PageIndex first, PageIndex last)
        {
            private int next;
            private VmArea? current;

            public readonly VmArea Current => current!;

            public bool MoveNext()
            {
                while (next < vmas.Count)
                {
                    var vma = vmas[next++].Vma;
                    if (vma.Pgoff > last)
                    {
                        next = vmas.Count;
                        return false;
                    }

                    if (vma.LastPgoff >= first)
                    {
                        current = vma;
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
