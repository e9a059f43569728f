using System.Runtime.Loader;
using DaxHolder.Abstractions.Fs;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Host.PluginLoading;

/// <summary>
/// A plugin loaded into its own collectible context: its identity, the filesystem types it
/// registered (guarded), and the services it registered, ready to be copied into a machine's
/// container. <see cref="Unload"/> lets the context be collected once nothing holds its objects.
/// </summary>
public sealed class LoadedPlugin
{
    private PluginLoadContext? context;
    private ServiceProvider? services;

    internal LoadedPlugin(
        string name,
        string folder,
        string assemblyPath,
        string version,
        Version contractVersion,
        PluginLoadContext context,
        ServiceProvider services,
        IReadOnlyList<ServiceDescriptor> registrations,
        IReadOnlyList<IFileSystemType> fileSystemTypes)
    {
        Name = name;
        Folder = folder;
        AssemblyPath = assemblyPath;
        Version = version;
        ContractVersion = contractVersion;
        this.context = context;
        this.services = services;
        Registrations = registrations;
        FileSystemTypes = fileSystemTypes;
        FileSystemNames = [.. fileSystemTypes.Select(t => t.Name)];
    }

    /// <summary>The plugin's name: its folder's name, e.g. "Xfs".</summary>
    public string Name { get; }

    /// <summary>The plugin folder.</summary>
    public string Folder { get; }

    /// <summary>The main assembly's path.</summary>
    public string AssemblyPath { get; }

    /// <summary>The plugin's informational version (or assembly version).</summary>
    public string Version { get; }

    /// <summary>The DaxHolder.Abstractions version the plugin was compiled against.</summary>
    public Version ContractVersion { get; }

    /// <summary>What the plugin registered in <c>ConfigureServices</c>, for a machine's own container.</summary>
    public IReadOnlyList<ServiceDescriptor> Registrations { get; private set; }

    /// <summary>The filesystem types the plugin provides, guarded, in registration order.</summary>
    public IReadOnlyList<IFileSystemType> FileSystemTypes { get; private set; }

    /// <summary>The names of <see cref="FileSystemTypes"/>, read once at load.</summary>
    public IReadOnlyList<string> FileSystemNames { get; }

    /// <summary>Why disposing the plugin's services failed during <see cref="Unload"/>, or null.</summary>
    public string? UnloadFailure { get; private set; }

    /// <summary>Whether <see cref="Unload"/> has run.</summary>
    public bool IsUnloaded => context is null;

    /// <summary>A handle on the load context that lets a caller watch it being collected.</summary>
    internal WeakReference ContextReference => new(context);

    /// <summary>
    /// Disposes the plugin's services, drops every reference the host holds into the plugin and
    /// starts unloading its context. Objects obtained earlier keep it alive until released.
    /// </summary>
    public void Unload()
    {
        if (context is null)
        {
            return;
        }

        try
        {
            PluginGuard.Invoke(Name, "ServiceProvider.Dispose", () =>
            {
                services?.Dispose();
                return 0;
            });
        }
        catch (PluginCallException e)
        {
            // Unloading always completes: a plugin's failing Dispose is recorded, not rethrown.
            UnloadFailure = e.Message;
        }

        services = null;
        Registrations = [];
        FileSystemTypes = [];
        AssemblyLoadContext unloading = context;
        context = null;
        unloading.Unload();
    }
}
