using Backprop.NN;

namespace Backprop.IO;

/// <summary>
/// A training checkpoint in one safetensors file: the model's state dict under "model.", the
/// optimizer's under "optimizer.", and training progress (epoch, settings) in the metadata.
/// </summary>
/// <param name="Model">The model's state dict.</param>
/// <param name="Optimizer">The optimizer's state dict.</param>
/// <param name="Metadata">Training progress and settings.</param>
public sealed record Checkpoint(StateDict Model, StateDict Optimizer, IReadOnlyDictionary<string, string> Metadata)
{
    private const string ModelPrefix = "model.";
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>Writes the checkpoint atomically.</summary>
    /// <param name="path">The file.</param>
    public void Save(string path)
    {
        var all = Model.Select(kv => KeyValuePair.Create(ModelPrefix + kv.Key, kv.Value))
            .Concat(Optimizer.Select(kv => KeyValuePair.Create(OptimizerPrefix + kv.Key, kv.Value)));
        Safetensors.Save(path, all, Metadata);
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The checkpoint.</returns>
    public static Checkpoint Load(string path)
    {
        var file = Safetensors.Load(path);
        var model = new StateDict();
        var optimizer = new StateDict();
        foreach (var (key, value) in file.Tensors)
        {
            if (key.StartsWith(ModelPrefix, StringComparison.Ordinal))
            {
                model[key[ModelPrefix.Length..]] = value;
            }
            else if (key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            {
                optimizer[key[OptimizerPrefix.Length..]] = value;
            }
            else
            {
                throw new DataFileException(path, -1, $"'{key}' is neither a model nor an optimizer entry: not a Backprop checkpoint.");
            }
        }

        return new Checkpoint(model, optimizer, file.Metadata);
    }
}
