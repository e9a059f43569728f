using System.Globalization;
using System.Text;
using static DaxHolder.Scenarios.Reports.Html.HtmlText;

namespace DaxHolder.Scenarios.Reports.Html;

/// <summary>
/// The frame of a self-contained HTML page: doctype, charset, title and the inline style sheet.
/// No script, no external resource: the page reads the same from a file, offline, in any browser.
/// </summary>
internal static class HtmlPage
{
    private const string Style = """
        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em auto; max-width: 1180px; padding: 0 1em; color: #1d2430; background: #fff; }
        h1 { font-size: 1.5em; margin: 0 0 .2em; }
        h2 { font-size: 1.2em; margin: 1.6em 0 .4em; border-bottom: 2px solid #d7dce3; padding-bottom: .2em; }
        h3 { font-size: 1.02em; margin: 1.2em 0 .4em; }
        code, pre, .tree, .procs td, .mapwhat, .off { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
        pre { background: #f6f8fa; padding: .5em .7em; overflow-x: auto; margin: .3em 0; font-size: 12.5px; }
        .desc { color: #4a5568; margin: 0 0 1em; }
        .dim { color: #718096; }
        dl.machine { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; margin: .5em 0; }
        dl.machine dt { font-weight: 600; }
        dl.machine dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
        nav ul { padding-left: 1.2em; }
        figure.map { margin: .5em 0 1em; }
        figure.map figcaption { font-weight: 600; margin-bottom: .3em; }
        .mapwhat { font-size: 12px; color: #4a5568; margin: .6em 0 .2em; }
        svg.devmap { display: block; max-width: 100%; height: auto; }
        svg.devmap .off { font-size: 10px; fill: #4a5568; text-anchor: end; }
        svg.devmap .poison { fill: #d62728; stroke: #fff; stroke-width: 1.2; }
        ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3em 1.4em; font-size: 13px; }
        ul.legend li { display: flex; align-items: center; gap: .4em; }
        .sw { display: inline-block; width: 14px; height: 14px; border: 1px solid #8893a2; }
        .sw.hatch { background: repeating-linear-gradient(135deg, #fff 0 2px, #555 2px 3px); }
        .sw.dot { border: none; border-radius: 50%; background: #d62728; width: 10px; height: 10px; }
        table { border-collapse: collapse; margin: .4em 0; }
        th, td { border: 1px solid #d7dce3; padding: .25em .55em; text-align: left; vertical-align: top; font-size: 13px; }
        th { background: #f0f3f7; }
        .procs tr.got td { background: #fff6e5; }
        details.step { border: 1px solid #e2e6ec; border-radius: 4px; margin: .35em 0; padding: .2em .6em; }
        details.step > summary { cursor: pointer; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
        details.step.event { border-color: #e8a33d; background: #fffdf8; }
        details.step.event > summary { font-weight: 600; }
        ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.3em; border-left: 1px dotted #b8c0cc; }
        ul.tree { padding-left: .6em; font-size: 12.5px; }
        ul.tree li { margin: .08em 0; }
        ul.tree summary { cursor: pointer; }
        .stage { display: inline-block; min-width: 8.5em; font-weight: 600; color: #2c5282; }
        .n-mf > details > summary .stage { color: #9b2c2c; }
        .n-holder > details > summary .stage { color: #6b46c1; }
        .n-notify > details > summary .stage { color: #2b6cb0; }
        .n-rmap > details > summary .stage, .n-rmap > .stage { color: #2f855a; }
        .n-signal .stage { color: #c05621; }
        .n-signal { background: #fff3e0; }
        .n-result .stage { color: #9b2c2c; }
        ul.expect { padding-left: 1.2em; margin: .2em 0; }
        .ok { color: #2f855a; }
        .fail { color: #c53030; font-weight: 600; }
        table.compare td { min-width: 18em; }
        table.compare tr.differs th { background: #fde8e8; }
        table.compare pre { background: transparent; padding: 0; margin: 0; white-space: pre-wrap; }
        mark { background: #fed7d7; color: inherit; }
        .fault { color: #c53030; font-weight: 600; }
        """;

    /// <summary>The page around <paramref name="body"/>, which must already be escaped markup.</summary>
    public static string Wrap(string title, string body)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta name=\"generator\" content=\"daxholder\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>{H(title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n");
        html.Append(body);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }
}
