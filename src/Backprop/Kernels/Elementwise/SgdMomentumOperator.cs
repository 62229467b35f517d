using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// One SGD-with-momentum step, as torch.optim.SGD: g = grad + wd·p; buf = keep·buf + scale·g (keep 0 and
/// scale 1 on the first step, μ and 1 − dampening after); p −= lr·(nesterov ? g + μ·buf : buf). Every
/// width rounds alike (fused multiply-adds throughout), so a step does not depend on how it is split.
/// </summary>
/// <param name="lr">The learning rate.</param>
/// <param name="momentum">μ.</param>
/// <param name="weightDecay">The L2 penalty wd.</param>
/// <param name="keep">The factor of the old buffer.</param>
/// <param name="scale">The factor of the gradient in the new buffer.</param>
/// <param name="nesterov">Whether to take the Nesterov step.</param>
internal readonly struct SgdMomentumOperator(float lr, float momentum, float weightDecay, float keep, float scale, bool nesterov) : IUpdateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float p, float grad, ref float s)
    {
        var g = MathF.FusedMultiplyAdd(weightDecay, p, grad);
        s = MathF.FusedMultiplyAdd(keep, s, scale * g);
        p = MathF.FusedMultiplyAdd(-lr, nesterov ? MathF.FusedMultiplyAdd(momentum, s, g) : s, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector128<float> p, Vector128<float> grad, ref Vector128<float> s)
    {
        var g = Vector128.FusedMultiplyAdd(Vector128.Create(weightDecay), p, grad);
        s = Vector128.FusedMultiplyAdd(Vector128.Create(keep), s, scale * g);
        p = Vector128.FusedMultiplyAdd(Vector128.Create(-lr), nesterov ? Vector128.FusedMultiplyAdd(Vector128.Create(momentum), s, g) : s, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> p, Vector256<float> grad, ref Vector256<float> s)
    {
        var g = Vector256.FusedMultiplyAdd(Vector256.Create(weightDecay), p, grad);
        s = Vector256.FusedMultiplyAdd(Vector256.Create(keep), s, scale * g);
        p = Vector256.FusedMultiplyAdd(Vector256.Create(-lr), nesterov ? Vector256.FusedMultiplyAdd(Vector256.Create(momentum), s, g) : s, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> p, Vector512<float> grad, ref Vector512<float> s)
    {
        var g = Vector512.FusedMultiplyAdd(Vector512.Create(weightDecay), p, grad);
        s = Vector512.FusedMultiplyAdd(Vector512.Create(keep), s, scale * g);
        p = Vector512.FusedMultiplyAdd(Vector512.Create(-lr), nesterov ? Vector512.FusedMultiplyAdd(Vector512.Create(momentum), s, g) : s, p);
    }
}
