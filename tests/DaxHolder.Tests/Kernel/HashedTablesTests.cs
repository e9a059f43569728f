using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// The hashed tables behind a process's page tables (mm/pgtable walk: which PTE, PMD or PUD leaf
/// maps an address; zap_page_range), a mapping's DAX entries (the i_pages xarray:
/// xa_load, xas_for_each) and the page cache (mm/filemap.c, mm/truncate.c): every answer, and
/// the order of every walk, the same as an ordered reference's over random stores and removals.
/// </summary>
public sealed class HashedTablesTests
{
    private static readonly int[] Shifts = [PageGeometry.PageShift, PageGeometry.PageShift, PageGeometry.PageShift, PageGeometry.PmdShift, PageGeometry.PudShift];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PageTable_ZapAndLookup_AnswerAsAnOrderedTable(int seed)
    {
        var random = new Random(seed);
        var table = new PageTable();
        var reference = new SortedDictionary<ulong, PageTableEntry>();
        const ulong span = 4UL << PageGeometry.PudShift;
        for (var i = 0; i < 3000; i++)
        {
            if (random.Next(3) > 0)
            {
                var shift = Shifts[random.Next(Shifts.Length)];
                var address = new UserAddress((ulong)random.NextInt64((long)span)).AlignDown(1UL << shift);
                var entry = new PageTableEntry(address, shift, random.Next(4) == 0 ? PteKind.Anonymous : PteKind.Dax, new Pfn((ulong)i), true);
                table.Set(entry);
                reference[address.Value] = entry;
            }
            else
            {
                // Short ranges take the probing walk, long ones the walk over every leaf.
                var start = new UserAddress((ulong)random.NextInt64((long)span)).AlignDown(PageGeometry.PageSize);
                var length = random.Next(2) == 0 ? (ulong)random.Next(1, 8) << PageGeometry.PageShift : (ulong)random.NextInt64((long)span);
                var end = new UserAddress(start.Value + length);
                var evenCows = random.Next(2) == 0;
                var expected = reference.Values
                    .Where(e => e.Address.Value + e.Size > start.Value && e.Address.Value < end.Value && (e.Kind != PteKind.Anonymous || evenCows))
                    .ToList();
                expected.ForEach(e => reference.Remove(e.Address.Value));
                table.Zap(start, end, evenCows).Select(e => e.Address).ShouldBe(expected.Select(e => e.Address), $"zap [{start}, {end})");
            }

            var probe = new UserAddress((ulong)random.NextInt64((long)span));
            table.Lookup(probe).ShouldBe(Covering(reference, probe), $"lookup {probe}");
        }

        table.Entries.Select(e => e.Address).ShouldBe(reference.Values.Select(e => e.Address), "every leaf, in address order");
        table.Count.ShouldBe(reference.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DaxEntries_InRangeAndLookup_AnswerAsAnOrderedXarray(int seed)
    {
        const ulong pmdPages = PageGeometry.PmdSize >> PageGeometry.PageShift;
        var random = new Random(seed);
        var entries = new DaxEntries();
        var reference = new SortedDictionary<ulong, DaxEntry>();
        const long span = 8 * (long)pmdPages;
        for (var i = 0; i < 3000; i++)
        {
            var pmd = random.Next(5) == 0;
            var index = (ulong)random.NextInt64(span) & (pmd ? ~(pmdPages - 1) : ulong.MaxValue);
            if (random.Next(3) > 0)
            {
                var entry = new DaxEntry(new PageIndex(index), new Pfn((ulong)i), pmd ? DaxEntryFlags.Pmd : DaxEntryFlags.None);
                entries.Store(entry);
                reference[index] = entry;
            }
            else if (reference.Remove(index, out var old))
            {
                entries.Remove(old);
            }

            var first = (ulong)random.NextInt64(span);
            var last = random.Next(2) == 0 ? first + (ulong)random.Next(4) : first + (ulong)random.NextInt64(span);
            var expected = reference.Values.Where(e => e.Index.Value <= last && e.Index.Value + e.Pages - 1 >= first);
            entries.InRange(new PageIndex(first), new PageIndex(last)).ShouldBe(expected, $"entries in [{first}, {last}]");
            var at = (ulong)random.NextInt64(span);
            entries.Lookup(new PageIndex(at)).ShouldBe(reference.GetValueOrDefault(at) ?? (reference.GetValueOrDefault(at & ~(pmdPages - 1)) is { IsPmd: true } head ? head : null), $"lookup {at}");
        }

        entries.All.ShouldBe(reference.Values, "every entry, in index order");
    }

    [Fact]
    public void Filemap_DropRangeAndWriteBack_TouchOnlyTheirFilesPages()
    {
        var filemap = new Filemap();
        var a = new AddressSpace(null, new InodeNumber(12), isDax: false);
        var b = new AddressSpace(null, new InodeNumber(13), isDax: false);
        var pagesOfA = new ulong[] { 5, 1, 3, 9 }.Select(i => filemap.FindOrRead(a, new PageIndex(i))).ToList();
        var pagesOfB = new ulong[] { 1, 2 }.Select(i => filemap.FindOrRead(b, new PageIndex(i))).ToList();
        filemap.FindOrRead(a, new PageIndex(3)).ShouldBeSameAs(pagesOfA[2], "a cached page is found again");
        pagesOfA[0].Dirty = true;
        pagesOfB[0].Dirty = true;

        filemap.WriteBack(a).ShouldBe(1, "only a's dirty page is written back");
        pagesOfB[0].Dirty.ShouldBeTrue();
        filemap.DropRange(a, new PageIndex(2), new PageIndex(5)).ShouldBe(2, "indexes 3 and 5");
        pagesOfA.Select(p => p.Mapping is not null).ShouldBe([false, true, false, true]);
        filemap.DropMapping(a).ShouldBe(2);
        filemap.DropMapping(a).ShouldBe(0);
        pagesOfB.ShouldAllBe(p => ReferenceEquals(p.Mapping, b), "the other file keeps its pages");
        filemap.ByPfn(pagesOfB[1].Pfn).ShouldBeSameAs(pagesOfB[1]);
    }

    private static PageTableEntry? Covering(SortedDictionary<ulong, PageTableEntry> leaves, UserAddress address)
    {
        foreach (var shift in new[] { PageGeometry.PudShift, PageGeometry.PmdShift, PageGeometry.PageShift })
        {
            if (leaves.TryGetValue(address.AlignDown(1UL << shift).Value, out var leaf) && leaf.Shift == shift)
            {
                return leaf;
            }
        }

        return null;
    }
}
