using Microsoft.Extensions.DependencyInjection;
using Loader = McMaster.NETCore.Plugins.PluginLoader;

namespace DaxHolder.PluginLoading;

/// <summary>
/// A plugin loaded into its own unloadable context: its identity (the name and version it
/// declares), the filesystem types it provides, and the services it registered, ready to be
/// composed into a machine. DaxHolder never calls the plugin's filesystem code from here: the
/// kernel model does, through its guard. <see cref="Unload"/> lets the context be collected once
/// nothing holds the plugin's objects.
/// </summary>
public sealed class LoadedPlugin
{
    private Loader? loader;

    internal LoadedPlugin(
        PluginAssemblyInfo assembly,
        string folder,
        string origin,
        Version contractVersion,
        Loader loader,
        IReadOnlyList<ServiceDescriptor> registrations,
        IReadOnlyList<string> fileSystemNames)
    {
        Name = assembly.PluginName;
        Version = assembly.PluginVersion;
        Folder = folder;
        Origin = origin;
        AssemblyPath = assembly.Path;
        ContractVersion = contractVersion;
        this.loader = loader;
        Registrations = registrations;
        FileSystemNames = fileSystemNames;
    }

    /// <summary>The plugin's declared name (<c>DaxHolderPlugin(Name = ...)</c>), else its assembly's simple name.</summary>
    public string Name { get; }

    /// <summary>The plugin's version: its assembly's informational version, else its assembly version.</summary>
    public string Version { get; }

    /// <summary>The plugin folder.</summary>
    public string Folder { get; }

    /// <summary>What named the folder: "plugins beside daxholder", DAXHOLDER_PLUGINS or "--plugins".</summary>
    public string Origin { get; }

    /// <summary>The main assembly's path.</summary>
    public string AssemblyPath { get; }

    /// <summary>The DaxHolder.Abstractions version the plugin was compiled against.</summary>
    public Version ContractVersion { get; }

    /// <summary>What the plugin registered in <c>ConfigureServices</c>, for a machine to compose.</summary>
    public IReadOnlyList<ServiceDescriptor> Registrations { get; private set; }

    /// <summary>The names of the filesystem types the plugin provides, read once at load, in registration order.</summary>
    public IReadOnlyList<string> FileSystemNames { get; }

    /// <summary>Whether <see cref="Unload"/> has run.</summary>
    public bool IsUnloaded => loader is null;

    /// <summary>A handle on the load context that lets a caller watch it being collected.</summary>
    internal WeakReference ContextReference => new(loader?.LoadContext);

    /// <summary>"Xfs 0.1.0".</summary>
    public override string ToString() => $"{Name} {Version}";

    /// <summary>
    /// Drops every reference the host holds into the plugin and starts unloading its context.
    /// Objects obtained earlier (a machine's filesystem types) keep it alive until released.
    /// </summary>
    public void Unload()
    {
        if (loader is null)
        {
            return;
        }

        Registrations = [];
        var unloading = loader;
        loader = null;
        unloading.Dispose();
    }
}
