using Backprop.Autograd;
using Backprop.Kernels.Attention;
using Backprop.NN;

namespace Backprop.Models;

/// <summary>
/// The attention half of a <see cref="GptBlock"/>, as nanoGPT's: one Linear (c_attn) makes the queries,
/// keys and values of every head side by side in [B, T, 3·width]; the fused attention kernel reads the
/// heads there, causally masked, and writes its output as [B, T, width] for the projection c_proj. With
/// a <see cref="KvCache"/>, the new keys and values are appended to the cache and the new queries attend
/// to everything cached, so generation costs one step per token.
/// </summary>
public sealed class CausalSelfAttention : Module<Tensor, Tensor>
{
    private readonly GptConfig _config;
    private readonly Generator? _generator;

    /// <summary>The fused attention's backward through tensor ops, made on the first forward.</summary>
    private GraphBackwardFn? _recomputed;

    /// <summary>Makes the projections.</summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="generator">The random source of initialisation and dropout.</param>
    public CausalSelfAttention(GptConfig config, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _generator = generator;
        CAttn = RegisterModule("c_attn", new Linear(config.Width, 3 * config.Width, generator: generator));
        CProj = RegisterModule("c_proj", new Linear(config.Width, config.Width, generator: generator));
        Dropout = RegisterModule("resid_dropout", new Dropout(config.Dropout, generator));
    }

    /// <summary>The query, key and value projection, [3·width, width].</summary>
    public Linear CAttn { get; }

    /// <summary>The output projection (a residual projection).</summary>
    public Linear CProj { get; }

    /// <summary>The dropout on the branch's output.</summary>
    public Dropout Dropout { get; }

    /// <summary>Whether the fused path keeps its attention weights in <see cref="LastWeights"/> (off: they are not copied).</summary>
    public bool KeepWeights { get; set; }

    /// <summary>With <see cref="KeepWeights"/>, the attention weights of the last forward, [B, heads, Tq, Tk]; otherwise null.</summary>
    public Tensor? LastWeights { get; private set; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null, 0);

    /// <summary>Attends [B, T, width] causally; with a cache, to the cached steps too, appending this input's keys and values as layer <paramref name="layer"/>'s.</summary>
    /// <param name="input">The normalized residual stream, [B, T, width].</param>
    /// <param name="cache">The keys and values of earlier steps, or null.</param>
    /// <param name="layer">This block's index in the cache.</param>
    /// <returns>The branch output, [B, T, width].</returns>
    public Tensor Forward(Tensor input, KvCache? cache, int layer)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Size(2) != _config.Width)
        {
            throw new ArgumentException($"CausalSelfAttention: input {Kernels.Shapes.Format(input.Dims)} must be [B, T, {_config.Width}].", nameof(input));
        }

        int batch = input.Size(0), steps = input.Size(1), width = _config.Width, heads = _config.Heads, dim = width / heads;
        var qkv = CAttn.Call(input);
        var scale = 1f / MathF.Sqrt(dim);
        Tensor attended;
        if (cache is not null)
        {
            var (keys, values, past) = cache.Append(layer, qkv, steps);
            var stored = HeadLayout.Contiguous(heads, cache.Capacity, dim);
            var shape = new AttentionShape(batch, heads, steps, past + steps, dim, HeadLayout.Interleaved(steps, 3 * width, dim, 0), stored, stored,
                HeadLayout.Interleaved(steps, width, dim, 0), scale, Causal: true, CausalOffset: past);
            attended = Keep(Tensor.Attention(shape, qkv, keys, values, null, [batch, steps, width], KeepWeights), batch, heads, steps, past + steps);
        }
        else if ((Training && _config.Dropout > 0f) || qkv.DType == DType.Float64)
        {
            attended = Composed(qkv, Training ? _config.Dropout : 0f);
        }
        else
        {
            var shape = new AttentionShape(batch, heads, steps, steps, dim, HeadLayout.Interleaved(steps, 3 * width, dim, 0), HeadLayout.Interleaved(steps, 3 * width, dim, width),
                HeadLayout.Interleaved(steps, 3 * width, dim, 2 * width), HeadLayout.Interleaved(steps, width, dim, 0), scale, Causal: true);

            // The backward through tensor ops (createGraph) recomputes the heads from the packed projection; made once.
            _recomputed ??= Tensor.Recomputed(x => Composed(x[0], 0f));
            attended = Keep(Tensor.Attention(shape, qkv, qkv, qkv, null, [batch, steps, width], KeepWeights, _recomputed), batch, heads, steps, steps);
        }

        return Dropout.Call(CProj.Call(attended));
    }

    /// <summary>
    /// Causal attention over the packed projection [B, T, 3·width] as tensor ops (ScaledDotProductAttention on its
    /// heads): the path of dropout (with probability <paramref name="p"/>) and of float64, and the fused kernel's
    /// backward through tensor ops.
    /// </summary>
    private Tensor Composed(Tensor qkv, float p)
    {
        int batch = qkv.Size(0), steps = qkv.Size(1), width = _config.Width, heads = _config.Heads;
        var heads5 = qkv.Reshape(batch, steps, 3, heads, width / heads).Permute(2, 0, 3, 1, 4);
        var (q, k, v) = (heads5.Narrow(0, 0, 1).Squeeze(0), heads5.Narrow(0, 1, 1).Squeeze(0), heads5.Narrow(0, 2, 1).Squeeze(0));
        return Tensor.ScaledDotProductAttention(q, k, v, dropoutP: p, isCausal: true, generator: _generator).Permute(0, 2, 1, 3).Reshape(batch, steps, width);
    }

    private Tensor Keep((Tensor Output, Kernels.Attention.AttentionKernel Kernel) attention, int batch, int heads, int queries, int keys)
    {
        LastWeights = KeepWeights ? Tensor.FromArray(attention.Kernel.Probabilities!, batch, heads, queries, keys) : null;
        return attention.Output;
    }
}
