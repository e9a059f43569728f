using System.Globalization;

namespace DaxHolder.Kernel.Modules;

/// <summary>How a plugin call's arguments read in a fault message: each value's text, shortened.</summary>
internal static class CallText
{
    private const int MaxArgument = 80;

    /// <summary>"inode 131, 0x0, 4096 bytes, Dax|Write".</summary>
    public static string Arguments(object?[]? arguments) =>
        arguments is null ? "" : string.Join(", ", arguments.Select(Argument));

    private static string Argument(object? value)
    {
        var text = value switch
        {
            null => "null",
            string s => $"\"{s}\"",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ when ModuleGuard.IsGuarded(value) => ModuleGuard.Describe(value),
            _ => value.ToString() ?? value.GetType().Name,
        };
        return text.Length <= MaxArgument ? text : string.Concat(text.AsSpan(0, MaxArgument - 1), "…");
    }
}
