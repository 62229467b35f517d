using Backprop.IO;
using Backprop.NN;

namespace Backprop.Cli.Models;

/// <summary>A trained model on disk: a safetensors file of the state dict, with the architecture and settings in its metadata.</summary>
internal sealed record ModelFile(NetworkSpec Spec, Sequential Model, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Writes the model's state dict and metadata atomically.</summary>
    public static void Save(string path, NetworkSpec spec, Module model, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["framework"] = "backprop" };
        foreach (var (key, value) in spec.ToMetadata().Concat(settings))
        {
            metadata[key] = value;
        }

        Safetensors.Save(path, model.StateDict(), metadata);
    }

    /// <summary>
    /// Loads a model file, from Backprop or from PyTorch: the architecture comes from <paramref name="layers"/>
    /// and <paramref name="activation"/> when given, else from the file's metadata.
    /// </summary>
    public static ModelFile Load(string path, string? layers, string? activation)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such model file.", path);
        }

        var file = Safetensors.Load(path);
        NetworkSpec spec;
        if (layers is not null)
        {
            spec = MlpSpec.Parse(layers, activation ?? file.Metadata.GetValueOrDefault("activation", "relu")).ToNetwork();
        }
        else if (NetworkSpec.FromMetadata(file.Metadata, path) is { } network && activation is null)
        {
            spec = network;
        }
        else
        {
            var mlp = MlpSpec.FromMetadata(file.Metadata)
                ?? throw new ArgumentException(file.Metadata.ContainsKey("model")
                    ? $"{path}: --activation applies to MLPs given by --layers; this file's metadata describes its model, which names its own activations."
                    : $"{path}: the file's metadata does not name the architecture; pass --layers (and --activation).");
            spec = (activation is null ? mlp : MlpSpec.Parse(mlp.LayersText, activation)).ToNetwork();
        }

        // Check the architecture against the file's tensors before allocating it: metadata could name any size.
        var mismatches = spec.ParameterShapes()
            .Where(p => !file.Tensors.TryGetValue(p.Key, out var t) || !t.Shape.AsSpan().SequenceEqual(p.Shape))
            .Select(p => file.Tensors.TryGetValue(p.Key, out var t) ? $"{p.Key} is [{string.Join(',', t.Shape)}], not [{string.Join(',', p.Shape)}]" : $"{p.Key} is missing")
            .ToList();
        if (mismatches.Count > 0)
        {
            throw new ArgumentException($"{path}: the weights do not fit the model {spec.Name}: {string.Join("; ", mismatches.Take(4))}.");
        }

        foreach (var (key, tensor) in file.Tensors)
        {
            var values = tensor.Float().Span;
            var bad = -1;
            for (var i = 0; bad < 0 && i < values.Length; i++)
            {
                bad = float.IsFinite(values[i]) ? -1 : i;
            }
            if (bad >= 0)
            {
                throw new ArgumentException($"{path}: tensor '{key}' holds {values[bad]} at element {bad}; a model with NaN or infinite weights predicts nothing (the training diverged, or the file is damaged).");
            }
        }

        var model = spec.Build(new Generator(0));
        try
        {
            model.LoadStateDict(file.Tensors);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{path}: the weights do not fit the model {spec.Name}: {ex.Message}", ex);
        }

        model.Eval();
        return new ModelFile(spec, model, file.Metadata);
    }
}
