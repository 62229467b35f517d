using Backprop.NN;

namespace Backprop.Models;

/// <summary>One pre-norm transformer block of a <see cref="Gpt"/>: x + attn(ln_1(x)), then + mlp(ln_2(x)), as nanoGPT's.</summary>
public sealed class GptBlock : Module<Tensor, Tensor>
{
    /// <summary>Makes the block.</summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="generator">The random source of initialisation and dropout.</param>
    public GptBlock(GptConfig config, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        Ln1 = RegisterModule("ln_1", new LayerNorm(config.Width));
        Attn = RegisterModule("attn", new CausalSelfAttention(config, generator));
        Ln2 = RegisterModule("ln_2", new LayerNorm(config.Width));
        Mlp = RegisterModule("mlp", new GptMlp(config, generator));
    }

    /// <summary>The norm before attention.</summary>
    public LayerNorm Ln1 { get; }

    /// <summary>The causal self-attention.</summary>
    public CausalSelfAttention Attn { get; }

    /// <summary>The norm before the MLP.</summary>
    public LayerNorm Ln2 { get; }

    /// <summary>The feed-forward layers.</summary>
    public GptMlp Mlp { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null, 0);

    /// <summary>The block, with a cache of earlier keys and values (or none).</summary>
    /// <param name="input">The residual stream, [B, T, width].</param>
    /// <param name="cache">The cache, or null.</param>
    /// <param name="layer">This block's index.</param>
    /// <returns>The residual stream after the block.</returns>
    public Tensor Forward(Tensor input, KvCache? cache, int layer)
    {
        var x = input + Attn.Forward(Ln1.Call(input), cache, layer);
        return x + Mlp.Call(Ln2.Call(x));
    }
}
