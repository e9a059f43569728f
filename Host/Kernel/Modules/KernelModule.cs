using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Kernel.Modules;

/// <summary>
/// A plugin as a machine loads it (the kernel's module): its identity and what its entry point
/// registered. Each machine builds the module's own container from the registrations, so every
/// machine starts with fresh filesystem type objects.
/// </summary>
/// <param name="Identity">The plugin's name and version.</param>
/// <param name="Registrations">What its ConfigureServices registered.</param>
internal sealed record KernelModule(ModuleIdentity Identity, IReadOnlyList<ServiceDescriptor> Registrations);
