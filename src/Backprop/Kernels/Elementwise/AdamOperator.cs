using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// One Adam step, as torch.optim.Adam (and AdamW with <paramref name="decoupled"/>): g += wd·p (or p ← (1 − lr·wd)·p);
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − stepSize·m/(√v/√bc₂ + ε), with stepSize = lr/bc₁. One pass
/// reads and writes each array once; every product and sum is rounded on its own (no fused multiply-add), in
/// the order the step was written as separate passes, so the results did not change when it was fused.
/// </summary>
/// <param name="beta1">β₁.</param>
/// <param name="beta2">β₂.</param>
/// <param name="eps">ε.</param>
/// <param name="weightDecay">wd.</param>
/// <param name="decay">(1 − lr·wd) for decoupled decay, else 1.</param>
/// <param name="decoupled">Whether the weight decay is decoupled (AdamW).</param>
/// <param name="stepSize">lr / (1 − β₁ᵗ).</param>
/// <param name="sqrtBc2">√(1 − β₂ᵗ).</param>
internal readonly struct AdamOperator(float beta1, float beta2, float eps, float weightDecay, float decay, bool decoupled, float stepSize, float sqrtBc2) : IMomentsUpdateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float p, float g, ref float m, ref float v)
    {
        if (weightDecay != 0f)
        {
            (p, g) = decoupled ? (p * decay, g) : (p, (p * weightDecay) + g);
        }

        m = (g * (1f - beta1)) + (m * beta1);
        v = (g * g * (1f - beta2)) + (v * beta2);
        p = (m / ((MathF.Sqrt(v) / sqrtBc2) + eps) * -stepSize) + p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector128<float> p, Vector128<float> g, ref Vector128<float> m, ref Vector128<float> v)
    {
        if (weightDecay != 0f)
        {
            (p, g) = decoupled ? (p * decay, g) : (p, (p * weightDecay) + g);
        }

        m = (g * (1f - beta1)) + (m * beta1);
        v = (g * g * (1f - beta2)) + (v * beta2);
        p = (m / ((Vector128.Sqrt(v) / sqrtBc2) + Vector128.Create(eps)) * -stepSize) + p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
    {
        if (weightDecay != 0f)
        {
            (p, g) = decoupled ? (p * decay, g) : (p, (p * weightDecay) + g);
        }

        m = (g * (1f - beta1)) + (m * beta1);
        v = (g * g * (1f - beta2)) + (v * beta2);
        p = (m / ((Vector256.Sqrt(v) / sqrtBc2) + Vector256.Create(eps)) * -stepSize) + p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
    {
        if (weightDecay != 0f)
        {
            (p, g) = decoupled ? (p * decay, g) : (p, (p * weightDecay) + g);
        }

        m = (g * (1f - beta1)) + (m * beta1);
        v = (g * g * (1f - beta2)) + (v * beta2);
        p = (m / ((Vector512.Sqrt(v) / sqrtBc2) + Vector512.Create(eps)) * -stepSize) + p;
    }
}
