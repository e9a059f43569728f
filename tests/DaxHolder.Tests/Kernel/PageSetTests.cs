using DaxHolder.Kernel.Drivers.Nvdimm;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// The sparse page set behind the pmem driver's media errors and badblocks
/// (block/badblocks.c: badblocks_set(), badblocks_clear(), badblocks_check()): every answer
/// the same as an ordered set's, over random adds, removes and range queries.
/// </summary>
public sealed class PageSetTests
{
    [Theory]
    [InlineData(1, 64UL)]
    [InlineData(2, 4096UL)]
    [InlineData(3, 1UL << 22)]
    [InlineData(4, 1UL << 40)]
    public void AnswersAsAnOrderedSet(int seed, ulong span)
    {
        var random = new Random(seed);
        var set = new PageSet();
        var reference = new SortedSet<ulong>();
        for (var i = 0; i < 4000; i++)
        {
            var page = (ulong)random.NextInt64((long)span);
            switch (random.Next(4))
            {
                case 0:
                case 1:
                    set.Add(page).ShouldBe(reference.Add(page));
                    break;
                case 2:
                    set.Remove(page).ShouldBe(reference.Remove(page));
                    break;
                default:
                    var last = page + (ulong)random.NextInt64(Math.Max(1L, (long)(span / 8)));
                    set.FirstBetween(page, last).ShouldBe(reference.GetViewBetween(page, last).Select(p => (ulong?)p).FirstOrDefault());
                    break;
            }

            set.Contains(page).ShouldBe(reference.Contains(page));
            set.Count.ShouldBe(reference.Count);
        }

        set.InOrder().ShouldBe(reference);
    }

    [Fact]
    public void RangeEdgesAreInclusive()
    {
        var set = new PageSet();
        set.Add(511);
        set.Add(512);
        set.Add(1UL << 30);

        set.FirstBetween(0, 510).ShouldBeNull();
        set.FirstBetween(0, 511).ShouldBe(511UL);
        set.FirstBetween(512, 512).ShouldBe(512UL);
        set.FirstBetween(513, (1UL << 30) - 1).ShouldBeNull();
        set.FirstBetween(513, 1UL << 30).ShouldBe(1UL << 30);
        set.FirstBetween(5, 4).ShouldBeNull();
        set.Remove(512).ShouldBeTrue();
        set.Remove(512).ShouldBeFalse();
        set.InOrder().ShouldBe([511UL, 1UL << 30]);
    }
}
