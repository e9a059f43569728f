using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using DaxHolder.Cli;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Reports.Html;
using DaxHolder.Scenarios.Running;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Reports;

/// <summary>The HTML report, parsed as a browser parses it (AngleSharp's HTML5 tree builder).</summary>
public class HtmlReportTests
{
    private const string TwoPoisons = """
        name: two-poisons
        kernel: "6.12"
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem:
          type: xfs
          mkfs: { reflink: 1, rmapbt: 1 }
          mount: { dax: always }
        files:
          - { path: /a, size: 64KiB }
          - { path: /b, clone-of: /a }
          - { path: /c, size: 16KiB }
        steps:
          - spawn: { task: p, comm: poisoner, pid: 3501, sigbus: handler }
          - mmap: { task: p, as: m, file: /b, length: 16KiB }
          - touch: { task: p, map: m, length: 16KiB }
          - madvise-hwpoison: { task: p, map: m, offset: 0, length: 8KiB }
          - machine-check: { target: { file: /c, offset: 4KiB } }

        """;

    internal static IReadOnlyList<RunReport> RunWithMaps(string yaml)
    {
        var document = ScenarioDocument.FromText("test.yaml", yaml);
        return new ScenarioRunner(ScenarioHarness.Plugins) { TakeDeviceMaps = true }.RunAll(document, document.Cells([]));
    }

    internal static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    /// <summary>
    /// The pages a run poisoned, by its decisions: SetPageHWPoison, action_result, and the pages
    /// badblocks gained (a pmem at 0x100000000 with a 2 MiB data offset: its first data pfn is 0x100200).
    /// </summary>
    private static HashSet<ulong> PoisonedPfns(RunReport run)
    {
        var decisions = run.Steps.SelectMany(s => s.Decisions).ToList();
        return
        [
            .. decisions.OfType<PagePoisoned>().Select(p => p.Pfn.Value),
            .. decisions.OfType<ActionResultRecorded>().Select(a => a.Pfn.Value),
            .. decisions.OfType<BadblocksChanged>().Where(b => b.Added).Select(b => 0x100200 + (b.FirstSector / 8)),
        ];
    }

    [Fact]
    public void Demo_HasTheDeviceMap_OneMarkerPerPoisonedPage_AndALegendNamingTheFiles()
    {
        var (exit, html, error) = CliRun.Run("demo", "--format", "html");

        exit.ShouldBe(ExitCodes.Ok, error);
        var page = Parse(html);
        var map = page.QuerySelector("svg#cell-1-map").ShouldNotBeNull("the device map after the last step");
        map.QuerySelectorAll("circle.poison").Length.ShouldBe(1, "the demo poisons one page");
        map.QuerySelector("circle.poison")!.GetAttribute("data-pfn").ShouldBe("0x100218");
        page.QuerySelector("svg#cell-1-map-data").ShouldNotBeNull("1 GiB is binned, so the data area gets its own map").QuerySelectorAll("rect.shared").Length.ShouldBeGreaterThan(0);
        var legend = page.QuerySelectorAll("figure.map")[0].QuerySelectorAll("ul.legend li.file").Select(li => li.TextContent).ToList();
        legend.Count.ShouldBe(2);
        legend[0].ShouldStartWith("/testfile");
        legend[1].ShouldStartWith("/poisonfile");
        page.QuerySelectorAll("script").ShouldBeEmpty("nothing needs a script");
        page.All.Where(e => e.HasAttribute("src") || (e.GetAttribute("href") is { } href && !href.StartsWith('#'))).ShouldBeEmpty("no external resources");
    }

    [Fact]
    public void EveryMap_HasOneMarkerPerPoisonedPage_FromMadviseAndMachineCheck()
    {
        var run = RunWithMaps(TwoPoisons).Single();
        var page = Parse(HtmlReport.Render([run]));

        var pfns = PoisonedPfns(run);
        pfns.Count.ShouldBe(3, "madvise poisons two pages of /b (shared with /a), the machine check one of /c");
        var markers = page.QuerySelectorAll("svg#cell-1-map circle.poison").Select(c => Convert.ToUInt64(c.GetAttribute("data-pfn"), 16)).ToList();
        markers.Order().ShouldBe(pfns.Order(), "one marker per poisoned page, no more");
        var afterMadvise = page.QuerySelectorAll("#cell-1-step4 svg#cell-1-step4-map circle.poison");
        afterMadvise.Length.ShouldBe(2, "the map after the madvise event shows its two pages, not the later machine check's");
        var unmapped = run.Steps[^1].Map!.Poisoned.Single(p => p.Why.Contains("badblocks"));
        unmapped.Pfn.ShouldBe(0x100229UL);
        unmapped.Why.ShouldBe(["badblocks", "action_result: Recovered"], "nobody mapped /c's page: no SetPageHWPoison");
        run.Steps[^1].Map!.Poisoned[0].Why.ShouldBe(["SetPageHWPoison", "action_result: Recovered"]);
    }

    [Fact]
    public void ADeviceDaxMap_MarksThePagePoisoned_NotItsFoliosHead()
    {
        var run = RunWithMaps("""
            name: devdax
            kernel: "6.12"
            device: { mode: devdax, size: 4GiB, align: 2MiB }
            steps:
              - spawn: { task: t, comm: prog, pid: 100, sigbus: handler }
              - mmap: { task: t, as: m, length: 2MiB }
              - touch: { task: t, map: m }
              - madvise-hwpoison: { task: t, map: m, offset: 8KiB, length: 4KiB }

            """).Single();
        var page = Parse(HtmlReport.Render([run]));

        page.QuerySelector("figure.map figcaption")!.TextContent.ShouldContain("device DAX: no filesystem");
        page.QuerySelectorAll("svg#cell-1-map circle.poison").Select(c => c.GetAttribute("data-pfn")).ShouldBe(["0x100202"]);
        page.QuerySelector("svg#cell-1-map circle.poison")!.GetAttribute("data-offset").ShouldBe("0x2000");
    }

    [Fact]
    public void TheEventsCallTree_NestsHolderNotifyFailureRecordsKillProcsAndSignals()
    {
        var (_, html, _) = CliRun.Run("demo", "--format", "html");
        var evt = Parse(html).QuerySelector("details.step.event").ShouldNotBeNull();

        var failure = evt.QuerySelector("ul.tree > li.n-mf").ShouldNotBeNull();
        failure.QuerySelector("summary")!.TextContent.ShouldContain("pfn 0x100218 → Recovered");
        var holder = failure.QuerySelector("li.n-holder").ShouldNotBeNull();
        holder.QuerySelector("summary")!.TextContent.ShouldContain("dax_holder_notify_failure(offset 0x18000");
        var records = holder.QuerySelectorAll("li.n-notify li.n-rmap");
        records.Length.ShouldBe(2, "the shared block has a record per file");
        records[0].QuerySelectorAll("li.n-kill li.n-collect").Select(li => li.TextContent).ShouldBe(
            ["skip t_mmap_cow_memo:1001 vma 0x7f0000000000: not current and not early kill (task_early_kill)", "collect watcher:1003 addr 0x7f0000000000 shift 12"]);
        records[0].QuerySelector("li.n-kill li.n-signal")!.TextContent.ShouldContain("BUS_MCEERR_AO -> watcher:1003");
        records[1].QuerySelector("li.n-kill li.n-signal")!.TextContent.ShouldContain("BUS_MCEERR_AR -> t_mmap_cow_memo:1002");
        failure.QuerySelector(":scope > details > ul > li.n-result")!.TextContent.ShouldContain("Recovered");
        evt.QuerySelectorAll(":scope > ul.tree > li.n-other").Select(li => li.TextContent).ShouldAllBe(t => t.Contains("delivered"));
    }

    [Fact]
    public void TheProcessTable_SaysWhatEachTaskGot()
    {
        var (_, html, _) = CliRun.Run("demo", "--format", "html");
        var rows = Parse(html).QuerySelectorAll("table.procs tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent).ToList()).ToList();

        rows.Select(r => r[0]).ShouldBe(["reader", "poisoner", "watcher"]);
        rows[0][4].ShouldBe("none");
        rows[1][4].ShouldBe("event 11 madvise-hwpoison: SIGBUS BUS_MCEERR_AR addr 0x7f0000000000 lsb 12, forced, queued");
        rows[2][4].ShouldBe("event 11 madvise-hwpoison: SIGBUS BUS_MCEERR_AO addr 0x7f0000000000 lsb 12, not forced, queued");
        rows.ShouldAllBe(r => r[6] == "alive");
    }

    [Fact]
    public void UserStrings_AreEscaped()
    {
        const string Evil = "<script>alert(1)</script> & \"q\" 'a'";
        var run = RunWithMaps($$"""
            name: '{{Evil.Replace("'", "''", StringComparison.Ordinal)}}'
            description: '{{Evil.Replace("'", "''", StringComparison.Ordinal)}}'
            kernel: "6.12"
            device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
            filesystem: { type: xfs, mkfs: { reflink: 1, rmapbt: 1 }, mount: { dax: always } }
            files:
              - { path: '/<script>&"''x', size: 16KiB }
            steps:
              - spawn: { task: '<script>&"''', comm: '<script>&"''', pid: 77, sigbus: handler }
              - mmap: { task: '<script>&"''', as: m, file: '/<script>&"''x', length: 4KiB }
              - touch: { task: '<script>&"''', map: m }
              - madvise-hwpoison: { task: '<script>&"''', map: m }

            """).Single();
        var html = HtmlReport.Render([run]);
        var page = Parse(html);

        html.ShouldNotContain("<script", Case.Insensitive);
        page.QuerySelectorAll("script").ShouldBeEmpty();
        page.Title.ShouldBe("daxholder: " + Evil);
        page.QuerySelector("h1")!.TextContent.ShouldBe("scenario " + Evil);
        page.QuerySelector("p.desc")!.TextContent.ShouldBe(Evil);
        page.QuerySelector("ul.legend li.file")!.TextContent.ShouldStartWith("/<script>&\"'x");
        var row = page.QuerySelector("table.procs tbody tr")!.QuerySelectorAll("td").Select(td => td.TextContent).ToList();
        row[0].ShouldBe("<script>&\"'");
        row[1].ShouldBe("<script>&\"'");
        page.QuerySelectorAll("details.step > summary").Select(s => s.TextContent).ShouldContain(s => s.Contains("mmap /<script>&\"'x", StringComparison.Ordinal));
        page.QuerySelectorAll("pre.log").Select(p => p.TextContent).ShouldContain(l => l.Contains("<script>&\"':77", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSameScenario_GivesByteIdenticalPages()
    {
        var first = CliRun.Run("demo", "--format", "html").Out;
        var second = CliRun.Run("demo", "--format", "html").Out;

        second.ShouldBe(first);
        first.ShouldStartWith("<!DOCTYPE html>\n");
    }

    [Fact]
    public void TakingMaps_LeavesTheTextAndJsonReportsAsTheyWere()
    {
        var document = DemoScenario.Load();
        var cells = document.Cells([]);
        var plain = new ScenarioRunner(ScenarioHarness.Plugins).RunAll(document, cells);
        var mapped = new ScenarioRunner(ScenarioHarness.Plugins) { TakeDeviceMaps = true }.RunAll(document, cells);

        mapped.SelectMany(r => r.Steps).Count(s => s.Map is not null).ShouldBe(2, "after set-up and after the event (the last step)");
        TextReport.Render(mapped).ShouldBe(TextReport.Render(plain));
        JsonReport.Render(mapped).ShouldBe(JsonReport.Render(plain));
    }

    [Fact]
    public void Compare_PutsTheCellsSideBySide_AndMarksWhatDiffers()
    {
        var demo = Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml");
        var (exit, html, error) = CliRun.Run("compare", demo, "--vary", "filesystem.mkfs.reflink=1,0", "--format", "html");

        exit.ShouldBe(ExitCodes.Ok, error);
        var page = Parse(html);
        page.QuerySelectorAll("table.compare thead th").Select(th => th.TextContent).ShouldBe(["step", "filesystem.mkfs.reflink=1", "filesystem.mkfs.reflink=0"]);
        var differing = page.QuerySelectorAll("table.compare tbody tr.differs").Select(tr => tr.QuerySelector("th")!.TextContent).ToList();
        differing.ShouldContain("event 11 madvise-hwpoison");
        page.QuerySelectorAll("table.compare mark").Select(m => m.TextContent).ShouldContain(m => m.Contains("FICLONE = -EOPNOTSUPP", StringComparison.Ordinal));
        page.QuerySelectorAll("section.cell").Length.ShouldBe(2);
        page.QuerySelector("#cell-2 svg#cell-2-map-data").ShouldNotBeNull().QuerySelectorAll("rect.shared").ShouldBeEmpty("without reflink the copy has its own blocks");
    }
}
