using System.Text;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Reports.Html;

namespace DaxHolder.Tests.Reports;

/// <summary>The device map's drawing: bins on a large device, what a bin's colour says, markers, the legend.</summary>
public class DeviceMapSvgTests
{
    private const ulong Block = DeviceMap.BlockSize;

    private static AngleSharp.Dom.IDocument Draw(DeviceMap map)
    {
        var html = new StringBuilder();
        DeviceMapSvg.Render(html, map, new MapColours(map.Files.Select(f => f.Inode)), "m");
        return HtmlReportTests.Parse(HtmlPage.Wrap("map", html.ToString()));
    }

    [Fact]
    public void ALargeDevice_IsDrawnInBins_AMixedBinSaysSo_AndEachPoisonedPageHasItsMarker()
    {
        const ulong Blocks = 16UL << 20; // 64 GiB of 4 KiB blocks
        var map = new DeviceMap("pmem0", Blocks * Block, 0, Blocks * Block,
            [
                new MapRecord(0, 16 * Block, null, "fs", ""),
                new MapRecord(16 * Block, 8 * Block, 131, null, ""),
                new MapRecord(1_000_000 * Block, 4096 * Block, 132, null, ""),
                new MapRecord(1_000_000 * Block, 4096 * Block, 133, null, ""),
            ],
            [new MapFile(131, "/a"), new MapFile(132, "/b"), new MapFile(133, "/c")],
            [new PoisonedPage(17 * Block, 0x100011, ["SetPageHWPoison"]), new PoisonedPage(18 * Block, 0x100012, ["badblocks"]), new PoisonedPage(1_000_001 * Block, 0x1f4241, ["SetPageHWPoison"])],
            []);

        var page = Draw(map);

        var whole = page.QuerySelector("svg#m").ShouldNotBeNull();
        whole.GetAttribute("data-blocks-per-cell").ShouldBe("4096", "16 Mi blocks in 4096 cells");
        whole.QuerySelectorAll("circle.poison").Length.ShouldBe(3, "one marker per page, even when two share a bin");
        var first = whole.QuerySelector("rect.mixed").ShouldNotBeNull("the first bin holds metadata and /a");
        first.GetAttribute("x").ShouldBe("92");
        whole.QuerySelector("rect.mixed title")!.TextContent.ShouldContain("metadata fs");
        whole.QuerySelector("rect.mixed title")!.TextContent.ShouldContain("/a (inode 131)");
        whole.QuerySelectorAll("rect.file").Select(r => r.QuerySelector("title")!.TextContent).ShouldContain(t => t.Contains("/b (inode 132), /c (inode 133) (shared)", StringComparison.Ordinal));
        whole.QuerySelectorAll("rect.shared").Length.ShouldBe(1, "the reflinked bin is hatched");
        var data = page.QuerySelector("svg#m-data").ShouldNotBeNull("a data area narrower than the device gets its own map");
        data.QuerySelectorAll("circle.poison").Length.ShouldBe(3);
        page.QuerySelectorAll("ul.legend li.file").Select(li => li.TextContent).ShouldBe(["/a inode 131, 32 KiB mapped", "/b inode 132, 16 MiB mapped", "/c inode 133, 16 MiB mapped"]);
    }

    [Fact]
    public void ASmallDevice_HasOneBlockPerCell_MetadataAndFreeSpaceApart()
    {
        var map = new DeviceMap("pmem0", 256 * Block, 0, 256 * Block,
            [new MapRecord(0, 4 * Block, null, "log", ""), new MapRecord(8 * Block, 2 * Block, 12, null, "")],
            [new MapFile(12, "/f")],
            [],
            []);

        var svg = Draw(map).QuerySelector("svg#m").ShouldNotBeNull();

        svg.GetAttribute("data-blocks-per-cell").ShouldBe("1");
        svg.QuerySelectorAll("rect.meta").Single().GetAttribute("width").ShouldBe("32", "four blocks of metadata, one run");
        svg.QuerySelectorAll("rect.file").Single().GetAttribute("width").ShouldBe("16");
        svg.QuerySelectorAll("rect.mixed").ShouldBeEmpty();
        svg.QuerySelectorAll("circle.poison").ShouldBeEmpty();
        svg.QuerySelectorAll("text.off").Select(t => t.TextContent).ShouldBe(["0x0", "0x80000"]);
    }
}
