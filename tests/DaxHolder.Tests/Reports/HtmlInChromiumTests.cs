using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Reports;

/// <summary>The demo's HTML report in a real browser: headless Chromium renders it, dumps its DOM and takes a screenshot.</summary>
public class HtmlInChromiumTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [ChromiumFact]
    public void TheDemosPage_RendersInChromium_WithTheMap_OneMarkerPerPoisonedPage_AndNoErrors()
    {
        var (exit, html, error) = CliRun.Run("demo", "--format", "html");
        exit.ShouldBe(ExitCodes.Ok, error);
        var dir = Directory.CreateTempSubdirectory("daxholder-html-");
        try
        {
            var file = Path.Combine(dir.FullName, "demo.html");
            File.WriteAllText(file, html);
            var url = new Uri(file).AbsoluteUri;
            var profile = Path.Combine(dir.FullName, "profile");

            var (domExit, dom, log) = Chromium.Run(Timeout, $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", url);

            domExit.ShouldBe(0, log);
            var page = HtmlReportTests.Parse(dom);
            var map = page.QuerySelector("svg#cell-1-map").ShouldNotBeNull("Chromium's DOM has the device map");
            map.QuerySelectorAll("circle.poison").Length.ShouldBe(1, "one marker for the demo's one poisoned page");
            page.QuerySelectorAll("ul.legend li.file").Select(li => li.TextContent).ShouldContain(t => t.StartsWith("/testfile", StringComparison.Ordinal));
            page.QuerySelectorAll("details.step.event li.n-rmap").Length.ShouldBe(2);
            log.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal))
                .ShouldBeEmpty("no script errors or console messages");

            var png = Path.Combine(dir.FullName, "demo.png");
            var (shotExit, _, shotLog) = Chromium.Run(Timeout, $"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1280,1800", $"--screenshot={png}", url);

            shotExit.ShouldBe(0, shotLog);
            var bytes = File.ReadAllBytes(png);
            bytes.Take(8).ShouldBe(new byte[] { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a }, "a PNG");
            (bytes.Length > 20_000).ShouldBeTrue($"a rendered page, not a blank one ({bytes.Length} bytes)");
            var results = Path.Combine(ScenarioHarness.RepoRoot, "TestResults");
            Directory.CreateDirectory(results);
            File.Copy(png, Path.Combine(results, "report-demo.png"), overwrite: true);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
