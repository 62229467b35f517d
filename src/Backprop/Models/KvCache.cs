namespace Backprop.Models;

/// <summary>
/// The keys and values a <see cref="Gpt"/> computed for the tokens it has seen, per layer, as
/// [B, heads, capacity, headDim] blocks, so that each new token attends to them instead of recomputing
/// them. <see cref="Length"/> counts the cached steps; <see cref="Gpt.Forward(Tensor, KvCache)"/> appends.
/// </summary>
public sealed class KvCache
{
    private readonly float[][] _keys;
    private readonly float[][] _values;
    private readonly int _batch;
    private readonly int _heads;
    private readonly int _headDim;

    /// <summary>Makes an empty cache for <paramref name="batch"/> sequences of a model.</summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="batch">The number of sequences generated together.</param>
    public KvCache(GptConfig config, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        (_batch, _heads, _headDim, Capacity) = (batch, config.Heads, config.Width / config.Heads, config.ContextLength);
        var size = batch * config.Width * config.ContextLength;
        _keys = [.. Enumerable.Range(0, config.Layers).Select(_ => new float[size])];
        _values = [.. Enumerable.Range(0, config.Layers).Select(_ => new float[size])];
    }

    /// <summary>The most steps it holds: the model's context length.</summary>
    public int Capacity { get; }

    /// <summary>The steps cached so far.</summary>
    public int Length { get; private set; }

    /// <summary>Forgets every cached step.</summary>
    public void Clear() => Length = 0;

    /// <summary>Marks <paramref name="steps"/> more steps as cached, once every layer has appended them.</summary>
    internal void Advance(int steps) => Length += steps;

    /// <summary>
    /// Copies the keys and values of <paramref name="steps"/> new steps from a [B, T, 3·width] projection into
    /// layer <paramref name="layer"/>'s blocks, after the <see cref="Length"/> cached ones; returns the blocks
    /// as tensors and how many steps were cached before.
    /// </summary>
    internal (Tensor Keys, Tensor Values, int Past) Append(int layer, Tensor qkv, int steps)
    {
        if (qkv.Size(0) != _batch || Length + steps > Capacity)
        {
            throw new ArgumentException($"KvCache: {steps} new steps for {qkv.Size(0)} sequences do not fit a cache of {_batch} sequences holding {Length} of {Capacity} steps; clear it, or start from the last {Capacity} tokens.");
        }

        var width = _heads * _headDim;
        var source = qkv.Data;
        for (var b = 0; b < _batch; b++)
        {
            for (var t = 0; t < steps; t++)
            {
                var row = ((b * steps) + t) * 3 * width;
                for (var h = 0; h < _heads; h++)
                {
                    var at = ((((b * _heads) + h) * Capacity) + Length + t) * _headDim;
                    Array.Copy(source, row + width + (h * _headDim), _keys[layer], at, _headDim);
                    Array.Copy(source, row + (2 * width) + (h * _headDim), _values[layer], at, _headDim);
                }
            }
        }

        int[] dims = [_batch, _heads, Capacity, _headDim];
        return (new Tensor(_keys[layer], dims), new Tensor(_values[layer], dims), Length);
    }
}
