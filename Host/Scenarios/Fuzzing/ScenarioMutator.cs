using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DaxHolder.Scenarios.Generating;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Fuzzing;

/// <summary>
/// Mutates the text of a scenario the way a typo, a bad merge or a hostile file would: lines
/// deleted, duplicated, swapped or shifted; numbers replaced by edge values; names changed;
/// stray characters, NUL and byte order marks inserted; step kinds swapped; keys misspelt; flow
/// mappings mangled; the text cut short. Every choice comes from a <see cref="SplitMix64"/>, so
/// a seed gives the same mutants on every machine.
/// </summary>
internal sealed partial class ScenarioMutator(SplitMix64 random)
{
    /// <summary>Numbers a mutation writes in place of one in the text: zero, negative, at and past every width, not a number.</summary>
    internal static readonly string[] EdgeNumbers =
    [
        "0", "-1", "1", "4095", "4097", "0x1", "2147483648", "4294967296", "18446744073709551615", "18446744073709551616",
        "0xffffffffffffffff", "64TiB", "16383TiB", "1e400", "NaN", "1.5", "0x", "1KiB", "2MiB", "1GiB", "1TiB", "9999999999999999999999999",
    ];

    private static readonly string[] StrayCharacters = [":", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "'", "\"", "#", "%", "@", "`", "\t", "- ", "? ", "\\", "\u00e9", "\u2028"];

    private static readonly string[] FlowManglings = ["{", "}", "[", "]", "{a: [}", ": {", ", ]", "[{]", ": [", "{ ? : }", "!!map {", "&x", "*x"];

    /// <summary>The mutations, by name (what a finding reports).</summary>
    internal static readonly string[] Kinds =
    [
        "delete-line", "duplicate-line", "swap-lines", "number", "name", "stray-character", "swap-step-kind",
        "truncate", "shift-indentation", "misspell-key", "insert-nul", "insert-bom", "flow-mangle",
    ];

    /// <summary>One to three mutations of <paramref name="text"/>, and their names joined with '+'.</summary>
    public (string Text, string Mutation) Mutate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 1 + random.Below(3);
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var kind = Kinds[random.Below(Kinds.Length)];
            text = Apply(kind, text);
            names.Add(kind);
        }

        return (text, string.Join('+', names));
    }

    private string Apply(string kind, string text)
    {
        var lines = text.Split('\n').ToList();
        switch (kind)
        {
            case "delete-line":
                lines.RemoveAt(random.Below(lines.Count));
                break;
            case "duplicate-line":
                var copy = random.Below(lines.Count);
                lines.Insert(copy, lines[copy]);
                break;
            case "swap-lines":
                var (a, b) = (random.Below(lines.Count), random.Below(lines.Count));
                (lines[a], lines[b]) = (lines[b], lines[a]);
                break;
            case "number":
                return ReplaceMatch(text, Number(), EdgeNumbers[random.Below(EdgeNumbers.Length)]);
            case "name":
                return ReplaceMatch(text, Name(), Pick(Name().Matches(text).Select(m => m.Value).Append("nosuch").Append("").ToList()));
            case "stray-character":
                return Insert(text, StrayCharacters[random.Below(StrayCharacters.Length)]);
            case "swap-step-kind":
                return ReplaceMatch(text, StepKind(), $"- {ScenarioParser.StepKinds[random.Below(ScenarioParser.StepKinds.Length)]}:");
            case "truncate":
                return text[..random.Below(text.Length + 1)];
            case "shift-indentation":
                var line = random.Below(lines.Count);
                lines[line] = random.Chance(0.5) ? new string(' ', 1 + random.Below(4)) + lines[line] : lines[line].TrimStart();
                break;
            case "misspell-key":
                return ReplaceMatch(text, Key(), Misspell);
            case "insert-nul":
                return Insert(text, "\0");
            case "insert-bom":
                return Insert(text, "\uFEFF");
            default:
                return Insert(text, FlowManglings[random.Below(FlowManglings.Length)]);
        }

        return string.Join('\n', lines);
    }

    private string Insert(string text, string what)
    {
        var at = random.Below(text.Length + 1);
        return string.Concat(text.AsSpan(0, at), what, text.AsSpan(at));
    }

    private string ReplaceMatch(string text, Regex pattern, string replacement) => ReplaceMatch(text, pattern, _ => replacement);

    private string ReplaceMatch(string text, Regex pattern, Func<string, string> replace)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0)
        {
            return text;
        }

        var match = matches[random.Below(matches.Count)];
        return string.Concat(text.AsSpan(0, match.Index), replace(match.Value), text.AsSpan(match.Index + match.Length));
    }

    private string Misspell(string key)
    {
        var name = key[..^1];
        if (name.Length == 0)
        {
            return key;
        }

        var at = random.Below(name.Length);
        var builder = new StringBuilder(name);
        switch (random.Below(3))
        {
            case 0:
                builder.Remove(at, 1);
                break;
            case 1:
                builder.Insert(at, (char)('a' + random.Below(26)));
                break;
            default:
                builder[at] = char.ToUpper(builder[at], CultureInfo.InvariantCulture) == builder[at] ? char.ToLowerInvariant(builder[at]) : char.ToUpperInvariant(builder[at]);
                break;
        }

        return builder.Append(':').ToString();
    }

    private string Pick(List<string> choices) => choices[random.Below(choices.Count)];

    [GeneratedRegex(@"(?<![\w.])(0x[0-9a-fA-F]+|\d+)(KiB|MiB|GiB|TiB|K|M|G|T)?(?![\w.])")]
    private static partial Regex Number();

    [GeneratedRegex(@"(?<=(task|child|as|map|file|path|source|clone-of|name|comm):\s*)[\w/.-]+")]
    private static partial Regex Name();

    [GeneratedRegex(@"- [a-z-]+:")]
    private static partial Regex StepKind();

    [GeneratedRegex(@"[\w-]+:")]
    private static partial Regex Key();
}
