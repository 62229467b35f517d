using System.Globalization;
using Backprop.Data;
using Backprop.IO;
using Backprop.Models;

namespace Backprop.Cli.Models;

/// <summary>
/// A trained GPT on disk: its state dict in safetensors, with "model" = "gpt", the shape (gpt.vocab_size,
/// gpt.context_length, gpt.width, gpt.layers, gpt.heads) and the character vocabulary ("vocabulary", the
/// characters in id order) in the metadata, so that `backprop generate` needs the file alone.
/// </summary>
internal sealed record GptFile(Gpt Model, CharVocabulary Vocabulary, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The metadata value of "model" that marks a GPT file.</summary>
    public const string Kind = "gpt";

    /// <summary>Writes the model, its vocabulary and <paramref name="settings"/> atomically.</summary>
    public static void Save(string path, Gpt model, CharVocabulary vocabulary, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var c = model.Config;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["framework"] = "backprop",
            ["model"] = Kind,
            ["vocabulary"] = vocabulary.Symbols,
            ["gpt.vocab_size"] = Text(c.VocabSize),
            ["gpt.context_length"] = Text(c.ContextLength),
            ["gpt.width"] = Text(c.Width),
            ["gpt.layers"] = Text(c.Layers),
            ["gpt.heads"] = Text(c.Heads),
        };
        foreach (var (key, value) in settings)
        {
            metadata[key] = value;
        }

        Safetensors.Save(path, model.StateDict(), metadata);
    }

    /// <summary>Whether a loaded safetensors file's metadata says it holds a GPT.</summary>
    public static bool IsGpt(SafetensorsFile file) => file.Metadata.GetValueOrDefault("model") == Kind;

    /// <summary>Loads a file written by <see cref="Save"/>, checking the weights against the shape its metadata states.</summary>
    public static GptFile Load(string path) =>
        File.Exists(path) ? From(path, Safetensors.Load(path)) : throw new FileNotFoundException($"{path}: no such model file.", path);

    /// <summary>The GPT in a safetensors file already read from <paramref name="path"/>.</summary>
    public static GptFile From(string path, SafetensorsFile file)
    {
        var meta = file.Metadata;
        if (meta.GetValueOrDefault("model") != Kind || !meta.TryGetValue("vocabulary", out var symbols))
        {
            throw new ArgumentException($"{path}: not a GPT model file (its metadata has no model = gpt and vocabulary); train one with backprop train --model gpt.");
        }

        var config = new GptConfig(Number(meta, "gpt.vocab_size", path), Number(meta, "gpt.context_length", path), Number(meta, "gpt.width", path), Number(meta, "gpt.layers", path), Number(meta, "gpt.heads", path)).Validate();
        var vocabulary = CharVocabulary.FromSymbols(symbols);
        if (vocabulary.Count != config.VocabSize)
        {
            throw new ArgumentException($"{path}: the vocabulary has {vocabulary.Count} characters but the model {config.VocabSize} token ids.");
        }

        var model = new Gpt(config);
        var expected = model.StateDict();
        var mismatches = expected.Where(e => !file.Tensors.TryGetValue(e.Key, out var t) || !t.Shape.AsSpan().SequenceEqual(e.Value.Shape))
            .Select(e => file.Tensors.TryGetValue(e.Key, out var t) ? $"{e.Key} is [{string.Join(',', t.Shape)}], not [{string.Join(',', e.Value.Shape)}]" : $"{e.Key} is missing")
            .ToList();
        if (mismatches.Count > 0)
        {
            throw new ArgumentException($"{path}: the weights do not fit the GPT its metadata describes: {string.Join("; ", mismatches.Take(4))}.");
        }

        model.LoadStateDict(file.Tensors, strict: false);
        return new GptFile(model, vocabulary, meta);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Number(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{path}: the metadata's {key} is {(text is null ? "missing" : $"'{text}', not a whole number")}.");
}
