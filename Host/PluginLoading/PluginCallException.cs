namespace DaxHolder.Host.PluginLoading;

/// <summary>
/// A call into a plugin threw. The host catches this at the boundary of the step or event that
/// made the call and reports it as that call's failure (the way the kernel sees an error
/// return); it never ends the host.
/// </summary>
public sealed class PluginCallException : Exception
{
    /// <summary>A plugin's call failed with <paramref name="inner"/>.</summary>
    public PluginCallException(string plugin, string call, Exception inner)
        : base($"plugin '{plugin}' failed in {call}: {inner.GetType().Name}: {inner.Message}", inner)
    {
        Plugin = plugin;
        Call = call;
    }

    /// <summary>Required by the exception pattern; prefer the plugin/call constructor.</summary>
    public PluginCallException()
        : this("?", "?", new InvalidOperationException("unknown"))
    {
    }

    /// <summary>Required by the exception pattern; prefer the plugin/call constructor.</summary>
    public PluginCallException(string message)
        : base(message)
    {
        Plugin = "?";
        Call = "?";
    }

    /// <summary>Required by the exception pattern; prefer the plugin/call constructor.</summary>
    public PluginCallException(string message, Exception inner)
        : base(message, inner)
    {
        Plugin = "?";
        Call = "?";
    }

    /// <summary>The plugin's name.</summary>
    public string Plugin { get; }

    /// <summary>The call, as Interface.Member.</summary>
    public string Call { get; }
}
