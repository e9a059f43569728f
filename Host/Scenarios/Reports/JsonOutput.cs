using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// What every JSON output of daxholder shares (docs/schemas/README.md): one object whose first
/// property is <c>schemaVersion</c>, names in snake_case, 64-bit quantities (pfns, device
/// offsets, user addresses, inode numbers, page indexes, lengths, sectors) as lower-case hex
/// strings "0x..." so that no reader loses precision past 2^53, indented with "\n" line ends.
/// </summary>
internal static class JsonOutput
{
    /// <summary>
    /// The version of the output shapes: raised when a field is removed, renamed or changes type
    /// (adding a field or a decision kind does not raise it).
    /// </summary>
    public const int SchemaVersion = 1;

    /// <summary>One output: <c>{"schemaVersion": 1, ...}</c> with the body's properties after it.</summary>
    public static string Render(Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", SchemaVersion);
            body(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>A 64-bit quantity as the outputs write it: "0x" and lower-case hex digits, no padding.</summary>
    public static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A decision field: 64-bit integers as <see cref="Hex"/>, 32-bit ones as numbers, lists of text as arrays.</summary>
    public static void Value(Utf8JsonWriter json, string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case string s:
                json.WriteString(key, s);
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            case int i:
                json.WriteNumber(key, i);
                break;
            case ulong u:
                json.WriteString(key, Hex(u));
                break;
            case long l:
                json.WriteString(key, l < 0 ? "-" + Hex((ulong)-l) : Hex((ulong)l));
                break;
            case IEnumerable<string> list:
                Strings(json, key, list);
                break;
            default:
                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>"TimedOut" as "timed_out": an enum's name as the outputs spell kinds.</summary>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && name[i - 1] != '_')
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    /// <summary>An array of strings.</summary>
    public static void Strings(Utf8JsonWriter json, string key, IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartArray(key);
        foreach (var item in items)
        {
            json.WriteStringValue(item);
        }

        json.WriteEndArray();
    }
}
