namespace Backprop.Models;

/// <summary>
/// The shape of a <see cref="Gpt"/>. The defaults are nanoGPT's CPU configuration for character-level
/// Tiny Shakespeare (the W9 workload): context 64, width 128, 4 layers of 4 heads, no dropout.
/// </summary>
/// <param name="VocabSize">The number of token ids.</param>
/// <param name="ContextLength">The most tokens the model sees at once (its learned positions).</param>
/// <param name="Width">The embedding width; a multiple of <paramref name="Heads"/>.</param>
/// <param name="Layers">The number of transformer blocks.</param>
/// <param name="Heads">The attention heads per block.</param>
/// <param name="Dropout">The dropout probability on embeddings, attention weights and residual branches in training.</param>
public sealed record GptConfig(int VocabSize, int ContextLength = 64, int Width = 128, int Layers = 4, int Heads = 4, float Dropout = 0f)
{
    /// <summary>Throws unless every size is positive, the width divides by the heads and dropout is in [0, 1).</summary>
    /// <returns>This configuration.</returns>
    public GptConfig Validate()
    {
        if (VocabSize <= 0 || ContextLength <= 0 || Width <= 0 || Layers <= 0 || Heads <= 0 || Width % Heads != 0 || Dropout is < 0f or >= 1f)
        {
            throw new ArgumentException($"Gpt: vocabulary {VocabSize}, context {ContextLength}, width {Width}, layers {Layers} and heads {Heads} must be positive, with the width a multiple of the heads; dropout ({Dropout}) in [0, 1).");
        }

        return this;
    }
}
