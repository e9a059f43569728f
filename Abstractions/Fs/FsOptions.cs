namespace DaxHolder.Abstractions.Fs;

/// <summary>
/// mkfs or mount options as the command line spells them ("reflink=1,rmapbt=1", "dax=always"):
/// ordered key/value pairs, a value optional. A filesystem refuses what it does not know with
/// <see cref="Unknown"/> and -EINVAL, naming the option.
/// </summary>
public sealed class FsOptions
{
    private readonly List<KeyValuePair<string, string?>> pairs;

    private FsOptions(List<KeyValuePair<string, string?>> pairs) => this.pairs = pairs;

    /// <summary>No options.</summary>
    public static FsOptions Empty { get; } = new([]);

    /// <summary>The options in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Pairs => pairs;

    /// <summary>Parses "a=1,b" (whitespace around items is ignored; empty items are skipped).</summary>
    /// <exception cref="FormatException">An item has an empty key.</exception>
    public static FsOptions Parse(string? text)
    {
        var list = new List<KeyValuePair<string, string?>>();
        foreach (var item in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? item : item[..eq]).Trim();
            if (key.Length == 0)
            {
                throw new FormatException($"option '{item}' has no name");
            }

            list.Add(new(key, eq < 0 ? null : item[(eq + 1)..].Trim()));
        }

        return new FsOptions(list);
    }

    /// <summary>Options built from pairs, e.g. from a scenario's mapping.</summary>
    public static FsOptions From(IEnumerable<KeyValuePair<string, string?>> pairs) => new([.. pairs]);

    /// <summary>The last value given for <paramref name="key"/>, the empty string for a bare flag, or null if absent.</summary>
    public string? Get(string key)
    {
        for (var i = pairs.Count - 1; i >= 0; i--)
        {
            if (pairs[i].Key == key)
            {
                return pairs[i].Value ?? "";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="key"/> was given.</summary>
    public bool Has(string key) => Get(key) is not null;

    /// <summary>The keys not among <paramref name="known"/>, in the order given.</summary>
    public IReadOnlyList<string> Unknown(params string[] known) =>
        [.. pairs.Select(p => p.Key).Where(k => !known.Contains(k)).Distinct()];

    /// <summary>"a=1,b".</summary>
    public override string ToString() =>
        string.Join(',', pairs.Select(p => p.Value is null ? p.Key : p.Key + "=" + p.Value));
}
