"""Page chrome seen on real portals (PORTALS.md, "Page chrome to strip"): overlays, widgets, share, QR, footers."""

from __future__ import annotations

from html import escape

OLD_BROWSER_OVERLAY = """
<div class="llq-tips" id="llqTips" style="display:none">
  <div class="llq-box"><p class="llq-t">更换或升级浏览器以获得最佳体验。</p>
  <p>当前浏览器版本过低,可能会有安全风险且无法正常显示。建议您升级或使用其他浏览器。</p>
  <p>若您当前使用的浏览器为QQ浏览器或者360浏览器仍出现该提示,请切换至极速模式。</p></div>
</div>"""

IE_WARNING = '<div class="ie-tip">为了获得更好的访问效果,建议您将IE升级至IE9及以上版本! <a href="javascript:;">x</a></div>'

FONT_WIDGET = (
    '<span class="font">【字体：<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> '
    '<a href="javascript:doZoom(14)">小</a>】</span>'
)
PRINT_CLOSE = (
    '<span><a href="javascript:window.print()">【打印本页】</a></span>'
    '<span><a href="javascript:window.close()">【关闭窗口】</a></span>'
)
VIEW_WIDGETS = '<div class="tools">保护视力色：<a class="c1"></a><a class="c2"></a> <a>简体</a> | <a>繁体</a> <a>无障碍</a> <a>长者模式</a></div>'

BSHARE = (
    '<div class="bshare-custom"><a title="分享到" href="http://www.bShare.cn/" id="bshare-shareto">分享按钮</a>'
    '<a title="分享到微信" class="bshare-weixin"></a></div>'
    '<script src="http://static.bshare.cn/b/buttonLite.js#style=-1&amp;uuid=&amp;pophcol=1&amp;lang=zh"></script>'
)
JIATHIS = (
    '<div class="jiathis_style"><span class="jiathis_txt">分享到：</span>'
    '<a class="jiathis_button_weixin"></a><a class="jiathis_button_tsina"></a><a class="jiathis_button_qzone"></a></div>'
    '<script src="http://v3.jiathis.com/code/jia.js" charset="utf-8"></script>'
)
SHARE_SCRIPT = "<div class=\"share\">分享到：<div id=\"share-1\"></div></div><script>$('#share-1').share({sites:['weibo','wechat']});</script>"

QR = '<div class="qrcode"><canvas width="100" height="100"></canvas><p>扫一扫在手机打开当前页</p></div>'

JIUCUO = (
    '<script id="_jiucuo_" sitecode="{code}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'
)
CONAC = '<span id="_ideConac"><script src="https://dcs.conac.cn/js/{n}/000/0000/60429971/CA230000000604299710002.js"></script></span>'


def footer(*, sponsor: str, site_code: str, icp: str, police: str, phone: str) -> str:
    return f"""
<div class="footer">
  <div class="foot-links"><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a>【我要纠错】</a></div>
  <p>主办单位：{escape(sponsor)} 承办单位：{escape(sponsor)}办公室</p>
  <p>网站标识码 {site_code} <a href="https://beian.miit.gov.cn">{icp}</a> {police} 联系电话：{phone}</p>
  <p>版权所有 © {escape(sponsor)} 技术支持：政府网站集约化平台</p>
  {CONAC.format(n=site_code[:2])}
  {JIUCUO.format(code=site_code)}
</div>"""


def meta_tags(pairs: list[tuple[str, str]]) -> str:
    """Render ``<meta>`` tags, sometimes with ``content`` before ``name`` as real CMS templates do."""
    out = []
    for i, (name, value) in enumerate(pairs):
        if i % 3 == 2:
            out.append(f'<meta content="{escape(value)}" name="{name}">')
        else:
            out.append(f'<meta name="{name}" content="{escape(value)}">')
    return "\n".join(out)


def paragraphs_html(paragraphs: list[str], *, style: str = "text-indent: 2em;") -> str:
    return "\n".join(f'<p style="{style}">{escape(p)}</p>' for p in paragraphs)


def related(title: str, links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{href}" target="_blank">{escape(text)}</a></li>' for href, text in links)
    return f'<div class="related"><div class="related-t">{title}</div><ul>{items}</ul></div>'
